using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FleetGrains.Abstractions;
using FleetGrains.Ingestion;

namespace FleetGrains.Silo.Tests;

[Collection(SiloHostCollection.Name)]
public class TelemetryApiTests(SiloHostFixture fixture)
{
    private HttpClient Http => fixture.Host.Http;

    [Fact]
    public async Task JsonArray_IsAccepted_AndVisibleInTheDevice()
    {
        var response = await Http.PostAsync("/api/telemetry", Telemetry.Array(Telemetry.Noise("http-a", "d1", 0, 20, 2, seed: 1)));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var report = (await response.Content.ReadFromJsonAsync<IngestReport>(SiloHost.Json))!;
        Assert.Equal((20, 0, 0), (report.Accepted, report.Duplicates, report.Rejected));
        var device = await fixture.Host.GetJsonAsync<DeviceSnapshot>("/api/devices/http-a/d1");
        Assert.Equal(19, device.LastSeq);
        Assert.Equal(20, device.Counters.Accepted);
    }

    [Fact]
    public async Task Ndjson_IsAccepted_AndOneGrainCallPerDeviceKeepsEveryEvent()
    {
        var events = Telemetry.Noise("http-b", "x", 0, 10, 2, seed: 2).Concat(Telemetry.Noise("http-b", "y", 0, 5, 2, seed: 3));

        var response = await Http.PostAsync("/api/telemetry", Telemetry.Ndjson(events));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(9, (await fixture.Host.GetJsonAsync<DeviceSnapshot>("/api/devices/http-b/x")).LastSeq);
        Assert.Equal(4, (await fixture.Host.GetJsonAsync<DeviceSnapshot>("/api/devices/http-b/y")).LastSeq);
    }

    [Fact]
    public async Task Replay_CountsDuplicates_AndChangesNothing()
    {
        var events = Telemetry.Noise("http-c", "d1", 0, 10, 2, seed: 4).ToList();
        await Http.PostAsync("/api/telemetry", Telemetry.Array(events));

        var response = await Http.PostAsync("/api/telemetry", Telemetry.Array(events));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var report = (await response.Content.ReadFromJsonAsync<IngestReport>(SiloHost.Json))!;
        Assert.Equal((0, 10), (report.Accepted, report.Duplicates));
        var device = await fixture.Host.GetJsonAsync<DeviceSnapshot>("/api/devices/http-c/d1");
        Assert.Equal((10, 10), (device.Counters.Accepted, device.Counters.Duplicates));
    }

    [Fact]
    public async Task MixedBatch_KeepsTheValidEvents_AndNamesEachRejectedOne()
    {
        const string fleet = SiloHostFixture.FixedFleet;
        var body = $$"""
            [
              {"fleetId":"{{fleet}}","deviceId":"mixed","ts":{{Telemetry.Now}},"seq":1,"values":[1,2,3]},
              {"fleetId":"{{fleet}}","deviceId":"mixed","ts":{{Telemetry.Now}},"seq":2,"values":[1,"NaN",3]},
              {"fleetId":"{{fleet}}","deviceId":"mixed","ts":{{Telemetry.Now}},"seq":3,"values":[1,2]},
              {"fleetId":"{{fleet}}","ts":{{Telemetry.Now}},"seq":4,"values":[1,2,3]},
              {"fleetId":"{{fleet}}","deviceId":"mixed","ts":{{Telemetry.Now + 3_600_000}},"seq":5,"values":[1,2,3]},
              {"fleetId":"{{fleet}}","deviceId":"mixed","ts":{{Telemetry.Now}},"seq":6,"values":[4,5,6]}
            ]
            """;

        var response = await Http.PostAsync("/api/telemetry", Telemetry.Raw(body));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var report = (await response.Content.ReadFromJsonAsync<IngestReport>(SiloHost.Json))!;
        Assert.Equal((2, 4), (report.Accepted, report.Rejected));
        Assert.Equal([1, 2, 3, 4], report.Errors.Select(e => e.Index));
        Assert.Contains("values[1] is NaN", report.Errors[0].Reason);
        Assert.Contains($"fleet '{fleet}' expects 3 values per event, got 2", report.Errors[1].Reason);
        Assert.Contains("deviceId is missing", report.Errors[2].Reason);
        Assert.Contains("ahead of the server clock", report.Errors[3].Reason);

        var window = await fixture.Host.GetJsonAsync<TelemetryWindow>($"/api/devices/{fleet}/mixed/telemetry");
        Assert.Equal([[1f, 2f, 3f], [4f, 5f, 6f]], window.Samples.Select(s => s.Values));
    }

    [Fact]
    public async Task WrongFeatureCountForAnExistingDevice_IsRejectedByTheDevice()
    {
        await Http.PostAsync("/api/telemetry", Telemetry.Array([Telemetry.Event("http-d", "d1", 1, 1f, 2f)]));

        var response = await Http.PostAsync("/api/telemetry", Telemetry.Array([Telemetry.Event("http-d", "d1", 2, 1f, 2f, 3f), Telemetry.Event("http-d", "d1", 3, 5f, 6f)]));

        var report = (await response.Content.ReadFromJsonAsync<IngestReport>(SiloHost.Json))!;
        Assert.Equal(1, report.Accepted);
        Assert.Equal("expected 2 values (this device's feature count), got 3", Assert.Single(report.Errors).Reason);
    }

    [Fact]
    public async Task ANewDeviceSendingTwoWidthsInOneBatch_KeepsTheWidthOfItsFirstEvent_AndRejectsTheOthers()
    {
        var response = await Http.PostAsync("/api/telemetry", Telemetry.Array([
            Telemetry.Event("http-w", "w1", 1, 1f, 2f, 3f),
            Telemetry.Event("http-w", "w1", 2, 4f, 5f),
            Telemetry.Event("http-w", "w1", 3, 6f, 7f, 8f),
            Telemetry.Event("http-w", "w2", 1, 9f)]));

        var report = (await response.Content.ReadFromJsonAsync<IngestReport>(SiloHost.Json))!;
        Assert.Equal(3, report.Accepted);
        var rejection = Assert.Single(report.Errors);
        Assert.Equal((1, "expected 3 values (this device's feature count), got 2"), (rejection.Index, rejection.Reason));
        var window = await fixture.Host.GetJsonAsync<TelemetryWindow>("/api/devices/http-w/w1/telemetry");
        Assert.Equal([[1f, 2f, 3f], [6f, 7f, 8f]], window.Samples.Select(s => s.Values));
    }

    [Fact]
    public async Task MalformedJson_Returns400ProblemWithThePosition()
    {
        var response = await Http.PostAsync("/api/telemetry", Telemetry.Raw("[{\"fleetId\": \"f\", \"deviceId\": }]"));

        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.StartsWith("Malformed JSON at line 1, byte 31: '}'", problem.Detail());
    }

    [Fact]
    public async Task UnquotedNaN_Returns400ExplainingThatOnlyFiniteNumbersAreAccepted()
    {
        var response = await Http.PostAsync("/api/telemetry", Telemetry.Raw("[{\"fleetId\":\"f\",\"deviceId\":\"d\",\"ts\":1,\"seq\":1,\"values\":[NaN]}]"));

        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("NaN and Infinity are not JSON numbers", problem.Detail());
    }

    [Fact]
    public async Task BodyOverTheLimit_Returns413()
    {
        var events = Telemetry.Noise("http-big", "d1", 0, 2000, 4, seed: 5);

        var response = await Http.PostAsync("/api/telemetry", Telemetry.Array(events));

        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains("exceeds the limit of 65536 bytes", problem.Detail());
        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync("/api/devices/http-big/d1")).StatusCode);
    }

    [Fact]
    public async Task ChunkedBodyOverTheLimit_Returns413()
    {
        var content = new StreamContent(new MemoryStream(new byte[70_000]));
        content.Headers.ContentType = new("application/json");
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/telemetry") { Content = content };
        request.Headers.TransferEncodingChunked = true;

        var response = await Http.SendAsync(request);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task ChunkedBodyOfManyReads_UnderTheLimit_IsReadWhole()
    {
        // No declared length: the body is read in pieces into a buffer that grows past its first 16 KB.
        var body = await Telemetry.Ndjson(Telemetry.Noise("http-chunked", "d1", 0, 400, 4, seed: 8)).ReadAsByteArrayAsync();
        Assert.InRange(body.Length, 40_000, 65_536);
        var content = new StreamContent(new MemoryStream(body), bufferSize: 4096);
        content.Headers.ContentType = new("application/x-ndjson");
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/telemetry") { Content = content };
        request.Headers.TransferEncodingChunked = true;

        var response = await Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var report = (await response.Content.ReadFromJsonAsync<IngestReport>(SiloHost.Json))!;
        Assert.Equal(400, report.Accepted);
        Assert.Empty(report.Errors);
    }

    [Fact]
    public async Task OnlyInvalidEvents_Returns400WithEveryReason()
    {
        var response = await Http.PostAsync("/api/telemetry", Telemetry.Raw("""[{"fleetId":"f","deviceId":"d","seq":1,"values":[1]}, {"fleetId":"f","deviceId":"d","ts":1,"values":[1]}]"""));

        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("event 0: ts is missing", problem.Detail());
        var errors = problem.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("reason").GetString()).ToList();
        Assert.Equal(2, errors.Count);
        Assert.Contains("seq is missing", errors[1]);
    }

    [Theory]
    [InlineData("", "The body is empty")]
    [InlineData("[]", "The body contains no events")]
    [InlineData("42", "must be a JSON array of events or NDJSON")]
    public async Task EmptyOrShapelessBody_Returns400(string body, string message)
    {
        var response = await Http.PostAsync("/api/telemetry", Telemetry.Raw(body));

        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains(message, problem.Detail());
    }
}
