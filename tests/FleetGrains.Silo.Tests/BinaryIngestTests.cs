using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using FleetGrains.Ingestion.Binary;
using Google.Protobuf;

namespace FleetGrains.Silo.Tests;

/// <summary>The binary batch over HTTP: the same validation, answers and error quality as JSON.</summary>
public sealed class BinaryIngestTests : IAsyncLifetime
{
    private const string Fleet = "binary";
    private SiloHost _host = null!;

    public async Task InitializeAsync() => _host = await SiloHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task ABinaryBatch_IsAppliedToItsDevices()
    {
        var batch = new TelemetryBatch { Devices = { Block("pump-1", 3, [1, 2]), Block("pump-2", 2, [5, 6, 7]) } };

        using var response = await PostAsync(batch.ToByteArray());

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(5, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accepted").GetInt32());
        var window = await _host.GetJsonAsync<JsonElement>($"/api/devices/{Fleet}/pump-2/telemetry");
        var samples = window.GetProperty("samples");
        Assert.Equal(2, samples.GetArrayLength());
        Assert.Equal([15f, 16f, 17f], samples[1].GetProperty("values").EnumerateArray().Select(v => v.GetSingle()));
    }

    [Fact]
    public async Task BadEventsAndBlocks_AreRejectedOneByOne_WithTheReasonJsonGets_AndTheRestApplied()
    {
        var bad = Block("pump-3", 2, [1]);
        bad.Values[1] = float.NaN;
        var broken = Block("pump-4", 2, [1]);
        broken.Seq.Add(99);
        var other = Block("pump-5", 1, [1]);
        other.FleetId = "bad fleet";
        var batch = new TelemetryBatch { Devices = { bad, broken, other } };

        using var response = await PostAsync(batch.ToByteArray());

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var report = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((1, 5), (report.GetProperty("accepted").GetInt32(), report.GetProperty("rejected").GetInt32()));
        var errors = report.GetProperty("errors").EnumerateArray().ToDictionary(e => e.GetProperty("index").GetInt32(), e => e.GetProperty("reason").GetString());
        Assert.Equal("values[0] is NaN: only finite numbers are accepted", errors[1]);
        Assert.StartsWith("device block 1 (binary/pump-4): seq has 3 entries and ts 2", errors[2], StringComparison.Ordinal);
        Assert.Equal(errors[2], errors[4]);
        Assert.Contains("fleetId", errors[5], StringComparison.Ordinal);
    }

    [Fact]
    public async Task ABodyThatIsNoBatch_Is400_AndJsonSentAsBinary_Too()
    {
        using var garbage = await PostAsync([0xFF, 0xFF, 0x01]);
        using var json = await PostAsync("""[{"fleetId":"binary","deviceId":"x","ts":1,"seq":0,"values":[1]}]"""u8.ToArray());

        foreach (var response in new[] { garbage, json })
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("Malformed telemetry", problem.GetProperty("title").GetString());
            Assert.StartsWith("The binary batch could not be read", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
    }

    private static DeviceBlock Block(string deviceId, int samples, float[] first)
    {
        var ts = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var block = new DeviceBlock { FleetId = Fleet, DeviceId = deviceId, Features = (uint)first.Length };
        for (var i = 0; i < samples; i++)
        {
            block.Seq.Add(i);
            block.Ts.Add(ts + i);
            block.Values.Add(first.Select(v => v + (10 * i)));
        }

        return block;
    }

    private async Task<HttpResponseMessage> PostAsync(byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(BinaryBatchDecoder.ContentType);
        return await _host.Http.PostAsync("/api/telemetry", content);
    }
}
