using FleetGrains.Grains.Devices;
using Microsoft.Extensions.Options;

namespace FleetGrains.Ingestion.Tests.Fuzz;

/// <summary>
/// Thousands of generated hostile bodies through the decoder and the validator, in-process: nothing but a
/// <see cref="TelemetryFormatException"/> for a body that cannot be read as a whole, every valid event kept
/// wherever the body's structure survived, and memory bounded by the body's size.
/// </summary>
public class DecoderFuzzTests
{
    private const int Cases = 4000;

    private readonly TelemetryValidator _validator = new(Options.Create(new IngestionOptions()), Options.Create(new DeviceOptions()));

    [Fact]
    public void HostileBodies_NeverEscapeTheDecoderOrValidator_AndEveryValidEventSurvives()
    {
        var now = DateTimeOffset.UtcNow;
        var failures = new List<string>();
        var wholeBodyFailures = 0;
        for (var seed = 0; seed < Cases; seed++)
        {
            var body = new HostileTelemetry(seed).NextBody(validEvents: 5, hostileEvents: 1 + (seed % 3), ndjson: seed % 2 == 0, ts: now.ToUnixTimeMilliseconds());
            var name = $"seed {seed} ({(body.Ndjson ? "NDJSON" : "array")}: {string.Join(", ", body.Hostile.Select(h => h.Mutation))})";
            var mustKeepValid = body.Ndjson || body.Hostile.All(h => h.KeepsStructure);
            var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
            DecodedBatch batch;
            try
            {
                batch = TelemetryDecoder.Decode(body.Bytes);
            }
            catch (TelemetryFormatException ex)
            {
                wholeBodyFailures++;
                if (mustKeepValid)
                {
                    failures.Add($"{name}: the body failed as a whole ({ex.Message}) although its valid events could be read");
                }

                continue;
            }
            catch (Exception ex)
            {
                failures.Add($"{name}: {ex.GetType().Name}: {ex.Message}");
                continue;
            }

            var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
            if (allocated > (16L * body.Bytes.Length) + (1 << 20))
            {
                failures.Add($"{name}: decoding {body.Bytes.Length} bytes allocated {allocated} bytes");
            }

            var valid = new HashSet<string>();
            foreach (var (_, e) in batch.Events)
            {
                try
                {
                    if (_validator.Validate(e, now) is null)
                    {
                        valid.Add(e.DeviceId!);
                    }
                }
                catch (Exception ex)
                {
                    failures.Add($"{name}: the validator threw {ex.GetType().Name}: {ex.Message}");
                }
            }

            var missing = body.ValidDevices.Where(d => !valid.Contains(d)).ToList();
            if (mustKeepValid && missing.Count > 0)
            {
                failures.Add($"{name}: valid events of {string.Join(", ", missing)} were lost");
            }

            if (batch.Rejections.Any(r => string.IsNullOrWhiteSpace(r.Reason)))
            {
                failures.Add($"{name}: a rejection without a reason");
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} of {Cases} cases failed:\n{string.Join("\n", failures.Take(15))}");
        Assert.InRange(wholeBodyFailures, 1, Cases - 1); // the generator makes both kinds of body
    }

    [Theory]
    [InlineData(new byte[] { 0xC3 })]
    [InlineData(new byte[] { 0xFF, 0xFE })]
    [InlineData(new byte[] { 0xED, 0xA0, 0x80 })]
    public void InvalidUtf8InAnId_RejectsThatEvent_AndKeepsTheOthers(byte[] bad)
    {
        var ok = System.Text.Encoding.UTF8.GetBytes(HostileTelemetry.ValidEvent("f", "ok", 1, 1));
        byte[] body = [.. "[{\"fleetId\":\"f\",\"deviceId\":\"a"u8, .. bad, .. "\",\"ts\":1,\"seq\":1,\"values\":[1]},"u8, .. ok, (byte)']'];

        var batch = TelemetryDecoder.Decode(body);

        Assert.Equal("ok", Assert.Single(batch.Events).Event.DeviceId);
        var rejection = Assert.Single(batch.Rejections);
        Assert.Equal((0, "deviceId is not valid text: it holds bytes that are not UTF-8 or an unpaired surrogate escape"), (rejection.Index, rejection.Reason));
    }

    [Theory]
    [InlineData(@"\ud800")]
    [InlineData(@"x\udc00")]
    public void UnpairedSurrogateEscapeInAnId_RejectsThatEvent(string id)
    {
        var batch = TelemetryDecoder.Decode(System.Text.Encoding.UTF8.GetBytes($$"""{"fleetId":"f","deviceId":"{{id}}","ts":1,"seq":1,"values":[1]}""" + "\n" + HostileTelemetry.ValidEvent("f", "ok", 1, 1)));

        Assert.Equal("ok", Assert.Single(batch.Events).Event.DeviceId);
        Assert.Contains("deviceId is not valid text", Assert.Single(batch.Rejections).Reason);
    }

    [Fact]
    public void AnEventWithMoreValuesThanAreRead_IsRejected_WithoutKeepingThemAll()
    {
        var values = string.Join(',', Enumerable.Repeat("1", TelemetryDecoder.MaxValuesRead + 10));
        var batch = TelemetryDecoder.Decode(System.Text.Encoding.UTF8.GetBytes($$"""[{"fleetId":"f","deviceId":"d","ts":1,"seq":1,"values":[{{values}}]}]"""));

        Assert.Empty(batch.Events);
        Assert.Equal($"values has more than {TelemetryDecoder.MaxValuesRead} entries", Assert.Single(batch.Rejections).Reason);
    }
}
