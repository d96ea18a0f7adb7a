using FleetGrains.Abstractions;
using FleetGrains.Grains.Devices;
using Microsoft.Extensions.Options;

namespace FleetGrains.Ingestion;

/// <summary>Checks one decoded event against the wire contract and the fleet's profile.</summary>
public sealed class TelemetryValidator(IOptions<IngestionOptions> ingestion, IOptions<DeviceOptions> devices)
{
    public const int MaxIdLength = 128;

    /// <summary>
    /// The largest seq accepted: counters and timestamps in milliseconds or microseconds stay far below it, and a
    /// seq such as 2^63 - 1 (which would make every later event of its device a duplicate) is refused. How far a
    /// device's seq may jump ahead of its last one is the device's rule (<c>Fleet:Devices:MaxSeqJump</c>).
    /// </summary>
    public const long MaxSeq = (1L << 53) - 1;

    private readonly IngestionOptions _ingestion = ingestion.Value;
    private readonly DeviceOptions _devices = devices.Value;

    /// <summary>Why the event cannot be accepted, or null when it is valid.</summary>
    public string? Validate(in TelemetryEvent e, DateTimeOffset now)
    {
        if (CheckId(e.FleetId, "fleetId") is { } fleetError)
        {
            return fleetError;
        }

        if (CheckId(e.DeviceId, "deviceId") is { } deviceError)
        {
            return deviceError;
        }

        switch (e.Ts)
        {
            case null:
                return "ts is missing (Unix milliseconds)";
            case < 0:
                return $"ts must not be negative, got {e.Ts}";
        }

        // Client numbers reach up to long.MaxValue: the sums saturate and the difference of two non-negative
        // longs cannot overflow, so no timestamp makes this arithmetic throw.
        var nowMs = now.ToUnixTimeMilliseconds();
        var skewMs = (long)_ingestion.MaxFutureSkew.TotalMilliseconds;
        var latestMs = skewMs > long.MaxValue - nowMs ? long.MaxValue : nowMs + skewMs;
        if (e.Ts.Value > latestMs)
        {
            return $"ts {e.Ts} is {DescribeMilliseconds(e.Ts.Value - nowMs)} ahead of the server clock; at most {_ingestion.MaxFutureSkew:c} is allowed ({IngestionOptions.Section}:MaxFutureSkew)";
        }

        switch (e.Seq)
        {
            case null:
                return "seq is missing (a per-device sequence number that increases with every event)";
            case < 0:
                return $"seq must not be negative, got {e.Seq}";
            case > MaxSeq:
                return $"seq {e.Seq} is above {MaxSeq} (2^53 - 1, the largest integer every JSON parser carries exactly): a device's sequence numbers stay below it";
        }

        if (e.Values is not { } memory)
        {
            return "values is missing (an array with one number per feature)";
        }

        var values = memory.Span;
        if (values.Length == 0)
        {
            return "values is empty: an event needs at least one feature";
        }

        if (values.Length > _ingestion.MaxFeatures)
        {
            return $"values has {values.Length} entries; at most {_ingestion.MaxFeatures} are allowed ({IngestionOptions.Section}:MaxFeatures)";
        }

        if (_devices.FeatureCountFor(e.FleetId!) is { } expected && values.Length != expected)
        {
            return $"fleet '{e.FleetId}' expects {expected} values per event, got {values.Length}";
        }

        return FiniteValues.Problem(values);
    }

    private static string DescribeMilliseconds(long milliseconds) =>
        milliseconds < TimeSpan.MaxValue.TotalMilliseconds / 2
            ? TimeSpan.FromMilliseconds(milliseconds).ToString("c", System.Globalization.CultureInfo.InvariantCulture)
            : $"{milliseconds} ms";

    /// <summary>Ids are 1-128 characters of ASCII letters, digits, '-', '_', '.' and ':' ('/' separates fleet and device in grain keys).</summary>
    public static bool IsValidId(string? id) =>
        !string.IsNullOrEmpty(id) && id.Length <= MaxIdLength && id.All(IsIdCharacter);

    private static bool IsIdCharacter(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':';

    private static string? CheckId(string? id, string name)
    {
        if (string.IsNullOrEmpty(id))
        {
            return $"{name} is missing";
        }

        if (id.Length > MaxIdLength)
        {
            return $"{name} is {id.Length} characters long; at most {MaxIdLength} are allowed";
        }

        foreach (var c in id)
        {
            if (!IsIdCharacter(c))
            {
                return $"{name} '{id}' contains '{c}': use letters, digits, '-', '_', '.' and ':' only";
            }
        }

        return null;
    }
}
