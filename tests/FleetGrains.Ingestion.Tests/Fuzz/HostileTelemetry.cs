using System.Globalization;
using System.Text;

namespace FleetGrains.Ingestion.Tests.Fuzz;

/// <summary>One hostile event: its bytes, the mutation that made it, and whether the mutation keeps the JSON structure intact.</summary>
public sealed record HostileEvent(string Mutation, byte[] Bytes, bool KeepsStructure);

/// <summary>
/// A body of valid events of distinct devices with hostile events among them, as a JSON array or as NDJSON.
/// <see cref="ValidDevices"/> are the device ids whose events are valid (each must be applied).
/// </summary>
public sealed record HostileBody(byte[] Bytes, bool Ndjson, IReadOnlyList<HostileEvent> Hostile, IReadOnlyList<string> ValidDevices);

/// <summary>
/// Generates hostile telemetry from a seed, by mutating valid events: truncation, bit flips, bytes that are not
/// UTF-8 inside strings, unpaired surrogate escapes, numbers at and beyond the limits of their types, deep
/// nesting, huge arrays and strings, wrong types, random bytes. The same seed gives the same cases, so a
/// failure names its seed and can be replayed.
/// </summary>
public sealed class HostileTelemetry(int seed)
{
    public const string Fleet = "fuzz";

    private static readonly string[] ExtremeNumbers =
    [
        "9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809",
        "18446744073709551615", "123456789012345678901234567890123456789", "1e308", "-1e308", "1e400", "-1e400",
        "4.9e-324", "1e-400", "0.1e999999999", "1E+2147483648", "-0", "0e0", "3.4028236e38", "9007199254740993",
    ];

    private static readonly byte[][] InvalidUtf8 =
    [
        [0xC3], [0xFF], [0xFE, 0xFF], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82], [0x80, 0x80, 0x80],
    ];

    private static readonly string[] UnpairedSurrogates = [@"\ud800", @"x\udc00y", @"\ud800\ud800", @"\udfff", @"a\ud83d", @"\ud83dz"];

    private readonly Random _random = new(seed);

    public static long Now => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    public static string ValidEvent(string fleetId, string deviceId, long seq, long ts, int features = 3) =>
        $$"""{"fleetId":"{{fleetId}}","deviceId":"{{deviceId}}","ts":{{ts}},"seq":{{seq}},"values":[{{string.Join(',', Enumerable.Range(0, features).Select(f => (seq + f).ToString(CultureInfo.InvariantCulture)))}}]}""";

    /// <summary>A body of <paramref name="validEvents"/> valid events (devices <c>{prefix}-{i}</c>) and <paramref name="hostileEvents"/> hostile ones, shuffled.</summary>
    public HostileBody NextBody(int validEvents, int hostileEvents, bool ndjson, string prefix = "ok", long? ts = null)
    {
        var now = ts ?? Now;
        var valid = Enumerable.Range(0, validEvents).Select(i => $"{prefix}-{i}").ToList();
        var parts = valid.Select(d => (Bytes: Encoding.UTF8.GetBytes(ValidEvent(Fleet, d, 1, now)), Hostile: (HostileEvent?)null)).ToList();
        var hostile = new List<HostileEvent>();
        for (var h = 0; h < hostileEvents; h++)
        {
            var e = NextEvent($"{prefix}-x{h}", now);
            hostile.Add(e);
            parts.Insert(_random.Next(parts.Count + 1), (e.Bytes, e));
        }

        var body = new List<byte>();
        if (!ndjson)
        {
            body.Add((byte)'[');
        }

        for (var i = 0; i < parts.Count; i++)
        {
            if (i > 0)
            {
                body.Add(ndjson ? (byte)'\n' : (byte)',');
            }

            // In NDJSON a mutation's own line breaks would split its event into more lines: they are spaces there.
            body.AddRange(ndjson && parts[i].Hostile is not null ? parts[i].Bytes.Select(b => b is (byte)'\n' ? (byte)' ' : b) : parts[i].Bytes);
        }

        if (!ndjson)
        {
            body.Add((byte)']');
        }

        return new HostileBody([.. body], ndjson, hostile, valid);
    }

    /// <summary>One hostile event of device <paramref name="deviceId"/>, made by a randomly chosen mutation of a valid one.</summary>
    public HostileEvent NextEvent(string deviceId, long ts)
    {
        var valid = ValidEvent(Fleet, deviceId, 1 + _random.Next(1000), ts);
        return _random.Next(14) switch
        {
            0 => new("truncated", Encoding.UTF8.GetBytes(valid)[.._random.Next(valid.Length)], false),
            1 => new("bit flips", FlipBits(Encoding.UTF8.GetBytes(valid)), false),
            2 => new("invalid UTF-8 in an id", Splice(valid, $"\"{deviceId}\"", [.. "\"a"u8, .. Pick(InvalidUtf8), .. "b\""u8]), true),
            3 => new("invalid UTF-8 in an unknown field", Splice(valid, "{", [.. "{\"note\":\""u8, .. Pick(InvalidUtf8), .. "\","u8]), true),
            4 => new("unpaired surrogate in an id", Encoding.UTF8.GetBytes(valid.Replace($"\"{deviceId}\"", $"\"{Pick(UnpairedSurrogates)}\"")), true),
            5 => new("extreme ts", Encoding.UTF8.GetBytes(ReplaceNumber(valid, "ts", Pick(ExtremeNumbers))), true),
            6 => new("extreme seq", Encoding.UTF8.GetBytes(ReplaceNumber(valid, "seq", Pick(ExtremeNumbers))), true),
            7 => new("extreme value", Encoding.UTF8.GetBytes(valid.Replace("\"values\":[", $"\"values\":[{Pick(ExtremeNumbers)},")), true),
            8 => new("deep nesting", Encoding.UTF8.GetBytes(Nest(valid, _random.Next(10, 5000))), false),
            9 => new("huge values array", Encoding.UTF8.GetBytes(valid.Replace("\"values\":[", "\"values\":[" + string.Concat(Enumerable.Repeat("1,", _random.Next(1_000, 100_000))))), true),
            10 => new("huge string", Encoding.UTF8.GetBytes(valid.Replace($"\"{deviceId}\"", $"\"{new string('d', _random.Next(200, 1_000_000))}\"")), true),
            11 => new("wrong types", Encoding.UTF8.GetBytes(WrongType(valid)), true),
            12 => new("random bytes", RandomBytes(_random.Next(1, 300)), false),
            _ => new("control characters", Encoding.UTF8.GetBytes(valid.Replace($"\"{deviceId}\"", "\"a\u0000b\tc\"")), false),
        };
    }

    private T Pick<T>(T[] choices) => choices[_random.Next(choices.Length)];

    private byte[] FlipBits(byte[] bytes)
    {
        for (var i = _random.Next(1, 9); i > 0; i--)
        {
            bytes[_random.Next(bytes.Length)] ^= (byte)(1 << _random.Next(8));
        }

        return bytes;
    }

    private byte[] RandomBytes(int length)
    {
        var bytes = new byte[length];
        _random.NextBytes(bytes);
        return bytes;
    }

    private string WrongType(string valid) => _random.Next(5) switch
    {
        0 => ReplaceNumber(valid, "ts", "\"soon\""),
        1 => ReplaceNumber(valid, "seq", "{\"n\":1}"),
        2 => valid.Replace("\"values\":[", "\"values\":[true,"),
        3 => valid.Replace("\"values\":[", "\"values\":[\"NaN\",").Replace("\"fleetId\":\"fuzz\"", "\"fleetId\":42"),
        _ => valid.Replace("\"values\":[", "\"values\":[[1,2],null,"),
    };

    private static string Nest(string valid, int depth) =>
        valid.Replace("{", $"{{\"deep\":{new string('[', depth)}{new string(']', depth)},", StringComparison.Ordinal);

    private static string ReplaceNumber(string json, string field, string replacement)
    {
        var start = json.IndexOf($"\"{field}\":", StringComparison.Ordinal) + field.Length + 3;
        var end = json.IndexOfAny([',', '}'], start);
        return string.Concat(json.AsSpan(0, start), replacement, json.AsSpan(end));
    }

    private static byte[] Splice(string json, string find, byte[] replacement)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        var at = json.IndexOf(find, StringComparison.Ordinal);
        return [.. bytes[..at], .. replacement, .. bytes[(at + find.Length)..]];
    }
}
