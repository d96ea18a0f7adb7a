using FleetGrains.Grains.Devices;
using FleetGrains.Ingestion;
using Microsoft.Extensions.Options;

namespace FleetGrains.Ingestion.Tests;

public class TelemetryValidatorTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    private readonly TelemetryValidator _validator = new(
        Options.Create(new IngestionOptions { MaxFutureSkew = TimeSpan.FromMinutes(5), MaxFeatures = 4 }),
        Options.Create(new DeviceOptions { Fleets = { ["fixed"] = new FleetProfile { FeatureCount = 2 } } }));

    private static TelemetryEvent Valid => new("fleet-a", "pump-0042", Now.ToUnixTimeMilliseconds(), 17, new float[] { 1f, 2f });

    [Fact]
    public void ValidEvent_HasNoError()
    {
        Assert.Null(_validator.Validate(Valid, Now));
    }

    public static TheoryData<TelemetryEvent, string> InvalidEvents => new()
    {
        { Valid with { FleetId = null }, "fleetId is missing" },
        { Valid with { DeviceId = "" }, "deviceId is missing" },
        { Valid with { DeviceId = "a/b" }, "deviceId 'a/b' contains '/'" },
        { Valid with { DeviceId = new string('x', 129) }, "at most 128" },
        { Valid with { Ts = null }, "ts is missing" },
        { Valid with { Ts = -1 }, "ts must not be negative" },
        { Valid with { Ts = Now.AddMinutes(6).ToUnixTimeMilliseconds() }, "ahead of the server clock; at most 00:05:00 is allowed" },
        { Valid with { Seq = null }, "seq is missing" },
        { Valid with { Seq = -5 }, "seq must not be negative" },
        { Valid with { Seq = long.MaxValue }, $"seq {long.MaxValue} is above 9007199254740991" },
        { Valid with { Ts = long.MaxValue }, $"ts {long.MaxValue} is {long.MaxValue - Now.ToUnixTimeMilliseconds()} ms ahead of the server clock" },
        { Valid with { Ts = Now.AddYears(50).ToUnixTimeMilliseconds() }, "18263.00:00:00 ahead of the server clock" },
        { Valid with { Values = null }, "values is missing" },
        { Valid with { Values = Array.Empty<float>() }, "values is empty" },
        { Valid with { Values = new float[] { 1, 2, 3, 4, 5 } }, "at most 4 are allowed" },
        { Valid with { FleetId = "fixed", Values = new float[] { 1, 2, 3 } }, "fleet 'fixed' expects 2 values per event, got 3" },
        { Valid with { Values = new float[] { 1, float.PositiveInfinity } }, "values[1] is Infinity: only finite numbers are accepted" },
    };

    [Theory]
    [MemberData(nameof(InvalidEvents))]
    public void InvalidEvent_IsRejectedWithAPreciseReason(TelemetryEvent e, string reason)
    {
        Assert.Contains(reason, _validator.Validate(e, Now));
    }

    [Fact]
    public void TimestampWithinTheSkew_IsAccepted()
    {
        Assert.Null(_validator.Validate(Valid with { Ts = Now.AddMinutes(4).ToUnixTimeMilliseconds() }, Now));
    }

    [Fact]
    public void LargestSeq_IsAccepted()
    {
        Assert.Null(_validator.Validate(Valid with { Seq = TelemetryValidator.MaxSeq }, Now));
    }

    [Fact]
    public void AnyTimestamp_WithTheLargestSkew_IsValidatedWithoutOverflow()
    {
        var lenient = new TelemetryValidator(Options.Create(new IngestionOptions { MaxFutureSkew = TimeSpan.MaxValue }), Options.Create(new DeviceOptions()));

        Assert.Contains("ahead of the server clock", lenient.Validate(Valid with { Ts = long.MaxValue }, Now));
        Assert.Null(lenient.Validate(Valid with { Ts = Now.AddYears(1000).ToUnixTimeMilliseconds() }, Now));
    }
}
