using System.Text;
using FleetGrains.Ingestion;

namespace FleetGrains.Ingestion.Tests;

public class TelemetryDecoderTests
{
    private static DecodedBatch Decode(string body) => TelemetryDecoder.Decode(Encoding.UTF8.GetBytes(body));

    [Fact]
    public void JsonArray_DecodesEveryField()
    {
        var batch = Decode("""[{"deviceId":"pump-1","fleetId":"fleet-a","ts":1763900000000,"seq":17,"values":[0.12,3.4,-1e3]}]""");

        var (index, e) = Assert.Single(batch.Events);
        Assert.Equal(0, index);
        Assert.Equal(new TelemetryEvent("fleet-a", "pump-1", 1763900000000, 17, null) with { Values = e.Values }, e);
        Assert.Equal([0.12f, 3.4f, -1000f], e.Values!.Value.ToArray());
    }

    [Fact]
    public void Ndjson_DecodesOneEventPerLine_SkippingBlankLines()
    {
        var batch = Decode("{\"deviceId\":\"a\",\"fleetId\":\"f\",\"ts\":1,\"seq\":1,\"values\":[1]}\r\n\n{\"deviceId\":\"b\",\"fleetId\":\"f\",\"ts\":2,\"seq\":2,\"values\":[2]}\n");

        Assert.Equal([0, 1], batch.Events.Select(e => e.Index));
        Assert.Equal(["a", "b"], batch.Events.Select(e => e.Event.DeviceId));
    }

    [Fact]
    public void Ndjson_BrokenLine_RejectsOnlyThatEvent()
    {
        var batch = Decode("{\"deviceId\":\"a\",\"fleetId\":\"f\",\"ts\":1,\"seq\":1,\"values\":[1]}\n{\"deviceId\":\"b\",\n{\"deviceId\":\"c\",\"fleetId\":\"f\",\"ts\":3,\"seq\":3,\"values\":[3]}");

        Assert.Equal(["a", "c"], batch.Events.Select(e => e.Event.DeviceId));
        var rejection = Assert.Single(batch.Rejections);
        Assert.Equal(1, rejection.Index);
        Assert.StartsWith("Malformed JSON at line 2", rejection.Reason);
    }

    [Fact]
    public void Ndjson_WhoseFirstLineIsGarbage_StillKeepsTheOtherLines()
    {
        var batch = Decode("\u00ffgarbage\n{\"deviceId\":\"b\",\"fleetId\":\"f\",\"ts\":2,\"seq\":2,\"values\":[2]}\n");

        Assert.Equal("b", Assert.Single(batch.Events).Event.DeviceId);
        Assert.StartsWith("Malformed JSON at line 1", Assert.Single(batch.Rejections).Reason);
    }

    [Theory]
    [InlineData("[{\"deviceId\":\"a\",", "Malformed JSON at line 1")]
    [InlineData("[{\"deviceId\":\"a\"}", "Malformed JSON")]
    [InlineData("[{\"values\":[1, NaN]}]", "NaN and Infinity are not JSON numbers")]
    [InlineData("[{\"values\":[Infinity]}]", "NaN and Infinity are not JSON numbers")]
    [InlineData("[] trailing", "Malformed JSON")]
    [InlineData("   ", "The body is empty")]
    [InlineData("\"just a string\"", "must be a JSON array of events or NDJSON")]
    public void BrokenBody_FailsAsAWholeWithAPreciseMessage(string body, string message)
    {
        var ex = Assert.Throws<TelemetryFormatException>(() => Decode(body));

        Assert.Contains(message, ex.Message);
    }

    [Fact]
    public void MalformedJson_SaysWhere()
    {
        var ex = Assert.Throws<TelemetryFormatException>(() => Decode("[\n{\"deviceId\": \"a\",,}\n]"));

        Assert.StartsWith("Malformed JSON at line 2, byte ", ex.Message);
    }

    [Theory]
    [InlineData("""{"deviceId":"a","fleetId":"f","ts":1,"seq":1,"values":["NaN"]}""", "values[0] is NaN: only finite numbers are accepted")]
    [InlineData("""{"deviceId":"a","fleetId":"f","ts":1,"seq":1,"values":[1,"-Infinity"]}""", "values[1] is -Infinity")]
    [InlineData("""{"deviceId":"a","fleetId":"f","ts":1,"seq":1,"values":[1e39]}""", "values[0] = 1e39 is outside the float32 range")]
    [InlineData("""{"deviceId":"a","fleetId":"f","ts":1,"seq":1,"values":[null]}""", "values[0] is null")]
    [InlineData("""{"deviceId":"a","fleetId":"f","ts":1,"seq":1,"values":"1,2"}""", "values must be an array of numbers, got a string")]
    [InlineData("""{"deviceId":7,"fleetId":"f","ts":1,"seq":1,"values":[1]}""", "deviceId must be a string, got a number")]
    [InlineData("""{"deviceId":"a","fleetId":"f","ts":1.5,"seq":1,"values":[1]}""", "ts must be an integer (Unix milliseconds), got 1.5")]
    [InlineData("""{"deviceId":"a","fleetId":"f","ts":1,"seq":"x","values":[1]}""", "seq must be an integer")]
    public void WrongFieldType_RejectsTheEventWithTheReason(string line, string reason)
    {
        var batch = Decode($"[{line}, {line.Replace("\"a\"", "\"b\"", StringComparison.Ordinal)}]");

        Assert.Equal(2, batch.Rejections.Count + batch.Events.Count);
        Assert.Contains(reason, batch.Rejections[0].Reason);
        Assert.Equal(0, batch.Rejections[0].Index);
    }

    [Fact]
    public void NonObjectElement_IsRejectedAndTheRestKept()
    {
        var batch = Decode("""[42, {"deviceId":"a","fleetId":"f","ts":1,"seq":1,"values":[1], "extra": {"nested": [1,2]}}]""");

        Assert.Equal(1, Assert.Single(batch.Events).Index);
        Assert.Equal("element 0 is a number, not an event object", Assert.Single(batch.Rejections).Reason);
    }

    [Fact]
    public void MissingFields_AreDecodedAsNull_ForTheValidatorToName()
    {
        var e = Assert.Single(Decode("[{}]").Events).Event;

        Assert.Equal(new TelemetryEvent(null, null, null, null, null), e);
    }
}
