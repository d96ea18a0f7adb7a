using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using FleetGrains.Ingestion;
using FleetGrains.Ingestion.Binary;
using FleetGrains.Ingestion.Tests.Fuzz;
using FleetGrains.Silo.Security;
using Google.Protobuf;

namespace FleetGrains.Silo.Tests;

/// <summary>Hostile clients against the real host over HTTP: never a 5xx for client input, and valid events in a batch are kept.</summary>
[Collection(SiloHostCollection.Name)]
public class HostileHttpTests(SiloHostFixture fixture)
{
    private const int FuzzCases = 200;

    private HttpClient Http => fixture.Host.Http;

    [Fact]
    public async Task GeneratedHostileBodies_AreNeverAServerError_AndTheirValidEventsAreApplied()
    {
        var failures = new List<string>();
        for (var seed = 0; seed < FuzzCases; seed++)
        {
            var body = new HostileTelemetry(10_000 + seed).NextBody(validEvents: 3, hostileEvents: 1, ndjson: seed % 2 == 0, prefix: $"http{seed}");
            var name = $"seed {10_000 + seed} ({(body.Ndjson ? "NDJSON" : "array")}: {body.Hostile[0].Mutation}, {body.Bytes.Length} bytes)";
            using var content = new ByteArrayContent(body.Bytes);
            content.Headers.ContentType = new(body.Ndjson ? "application/x-ndjson" : "application/json");
            var response = await Http.PostAsync("/api/telemetry", content);
            var text = await response.Content.ReadAsStringAsync();
            if ((int)response.StatusCode >= 500)
            {
                failures.Add($"{name}: {(int)response.StatusCode} {text}");
                continue;
            }

            var mustKeepValid = (body.Ndjson || body.Hostile[0].KeepsStructure) && body.Bytes.Length <= 65_536;
            if (mustKeepValid)
            {
                var report = response.StatusCode == HttpStatusCode.Accepted ? JsonSerializer.Deserialize<IngestReport>(text, SiloHost.Json) : null;
                if (report is null || report.Accepted < body.ValidDevices.Count)
                {
                    failures.Add($"{name}: the valid events were not all applied: {(int)response.StatusCode} {text[..Math.Min(300, text.Length)]}");
                }
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} of {FuzzCases} requests failed:\n{string.Join("\n", failures.Take(10))}");
    }

    [Fact]
    public async Task GeneratedHostileBinaryBatches_AreNeverAServerError_AndTheirIntactBlocksAreApplied()
    {
        var failures = new List<string>();
        var random = new Random(20_000);
        for (var seed = 0; seed < FuzzCases; seed++)
        {
            var intact = new DeviceBlock { FleetId = "binary-fuzz", DeviceId = $"ok-{seed}", Features = 2 };
            for (var i = 0; i < 3; i++)
            {
                intact.Seq.Add(i);
                intact.Ts.Add(HostileTelemetry.Now + i);
                intact.Values.Add([i, i + 1]);
            }

            var (mutation, hostile) = (seed % 6) switch
            {
                0 => ("NaN and infinity", new DeviceBlock { FleetId = "binary-fuzz", DeviceId = $"nan-{seed}", Features = 2, Seq = { 0 }, Ts = { HostileTelemetry.Now }, Values = { float.NaN, float.PositiveInfinity } }),
                1 => ("columns that do not fit", new DeviceBlock { FleetId = "binary-fuzz", DeviceId = $"cols-{seed}", Features = uint.MaxValue, Seq = { 0, 1 }, Ts = { 0 }, Values = { 1 } }),
                2 => ("hostile ids and extremes", new DeviceBlock { FleetId = "bad fleet\u0000", DeviceId = new string('x', 5000), Features = 1, Seq = { long.MaxValue }, Ts = { long.MinValue }, Values = { float.MaxValue } }),
                _ => ("corrupted bytes", null),
            };
            var batch = new TelemetryBatch { Devices = { intact } };
            if (hostile is not null)
            {
                batch.Devices.Add(hostile);
            }

            var bytes = batch.ToByteArray();
            if (hostile is null)
            {
                bytes = (seed % 6) switch
                {
                    3 => bytes[..random.Next(bytes.Length)],
                    4 => [.. bytes.Select(b => random.Next(8) == 0 ? (byte)random.Next(256) : b)],
                    _ => [.. Enumerable.Range(0, random.Next(1, 300)).Select(_ => (byte)random.Next(256))],
                };
            }

            using var content = new ByteArrayContent(bytes);
            content.Headers.ContentType = new(BinaryBatchDecoder.ContentType);
            var response = await Http.PostAsync("/api/telemetry", content);
            var text = await response.Content.ReadAsStringAsync();
            var name = $"case {seed} ({mutation}, {bytes.Length} bytes)";
            if ((int)response.StatusCode >= 500)
            {
                failures.Add($"{name}: {(int)response.StatusCode} {text}");
            }
            else if (hostile is not null)
            {
                var report = response.StatusCode == HttpStatusCode.Accepted ? JsonSerializer.Deserialize<IngestReport>(text, SiloHost.Json) : null;
                if (report is null || report.Accepted != 3)
                {
                    failures.Add($"{name}: the intact block was not applied: {(int)response.StatusCode} {text[..Math.Min(300, text.Length)]}");
                }
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} of {FuzzCases} requests failed:\n{string.Join("\n", failures.Take(10))}");
    }

    [Theory]
    [InlineData("9223372036854775807", "ts 9223372036854775807 is")]
    [InlineData("-9223372036854775808", "ts must not be negative")]
    [InlineData("9223372036854775808", "ts must be an integer (Unix milliseconds), got 9223372036854775808")]
    public async Task ExtremeTimestamp_RejectsItsEvent_AndKeepsTheValidOne(string ts, string reason)
    {
        var body = $$"""[{"fleetId":"extreme-ts","deviceId":"bad","ts":{{ts}},"seq":1,"values":[1]},{{HostileTelemetry.ValidEvent("extreme-ts", $"ok-{Guid.NewGuid():N}", 1, HostileTelemetry.Now)}}]""";

        var response = await Http.PostAsync("/api/telemetry", Telemetry.Raw(body));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var report = (await response.Content.ReadFromJsonAsync<IngestReport>(SiloHost.Json))!;
        Assert.Equal((1, 1), (report.Accepted, report.Rejected));
        Assert.Contains(reason, report.Errors.Single().Reason);
    }

    [Theory]
    [InlineData("zz\r\nabc\r\n0\r\n\r\n")]
    [InlineData("-5\r\nabc\r\n0\r\n\r\n")]
    [InlineData("FFFFFFFFFFFFFFFFFFFFFFFF\r\nabc\r\n0\r\n\r\n")]
    [InlineData("3\r\nabcXY0\r\n\r\n")]
    [InlineData("3;\u0001=\u0002\r\nabc\r\n0\r\n\r\n")]
    public async Task MalformedChunkedBody_Is400(string chunks)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(fixture.Host.BaseAddress.Host, fixture.Host.BaseAddress.Port);
        var stream = client.GetStream();
        var request = $"POST /api/telemetry HTTP/1.1\r\nHost: {fixture.Host.BaseAddress.Authority}\r\n{ApiKeyAuthenticationHandler.Header}: {SiloHost.AdminKey}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n{chunks}";
        await stream.WriteAsync(Encoding.Latin1.GetBytes(request));

        using var reader = new StreamReader(stream, Encoding.Latin1);
        var statusLine = await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));

        Assert.StartsWith("HTTP/1.1 400", statusLine);
    }

    [Theory]
    [InlineData("Development")]
    [InlineData("Production")]
    public async Task UnparsableQueryValues_Are400_InEveryEnvironment(string environment)
    {
        await using var host = await SiloHost.StartAsync(environment: environment);
        await host.Http.PostAsync("/api/telemetry", Telemetry.Array([Telemetry.Event("env", "d1", 1, 1f)]));

        foreach (var path in (string[])["/api/fleets/env/devices?offset=abc", "/api/fleets/env/anomalies?limit=9999999999", "/api/devices/env/d1/scores?after=x", "/api/deadletters?count=1.5"])
        {
            var problem = await ProblemAssert.IsProblemAsync(await host.Http.GetAsync(path), HttpStatusCode.BadRequest);
            Assert.Contains("Failed to bind parameter", problem.Detail());
        }
    }
}
