using System.Text.Json;

namespace FleetGrains.Ingestion;

/// <summary>
/// Decodes a request body of telemetry events: a JSON array of event objects, or NDJSON (one event
/// object per line). A broken JSON array cannot be read past the break, so it fails as a whole
/// (<see cref="TelemetryFormatException"/>); in NDJSON a broken line rejects only that event.
/// Fields of the wrong type reject their event with a precise reason; unknown fields are ignored.
/// Hostile bytes never escape as another exception: text that is not valid UTF-8 or holds an unpaired
/// surrogate escape rejects its event, and no event keeps more than <see cref="MaxValuesRead"/> values
/// (the rest are skipped), so memory stays bounded by the body's size.
/// </summary>
public static class TelemetryDecoder
{
    /// <summary>Values stored per event at most; an event with more is rejected (the validator's limit is lower).</summary>
    public const int MaxValuesRead = 65_536;

    private const int ExcerptBytes = 40;

    // No valid event is shorter ({"fleetId":"f","deviceId":"d","ts":0,"seq":0,"values":[0]} has 56 bytes):
    // room for the events is reserved by line count only up to this share of the body.
    private const int MinEventBytes = 56;

    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 16 };

    /// <summary>
    /// The events of <paramref name="body"/> in a batch with a store of its own; throws <see cref="TelemetryFormatException"/>
    /// only, and only when the body cannot be read as a whole.
    /// </summary>
    public static DecodedBatch Decode(ReadOnlySpan<byte> body)
    {
        var batch = new DecodedBatch(maxValues: body.Length / 2);
        DecodeInto(body, batch);
        return batch;
    }

    /// <summary>
    /// Appends the events and rejections of <paramref name="body"/> to <paramref name="batch"/> (a source's read of many
    /// messages decodes them into one batch: one list, one store, one id per device), indexed within the body. When
    /// the body cannot be read as a whole it throws <see cref="TelemetryFormatException"/> and leaves none of its events
    /// in <paramref name="batch"/>.
    /// </summary>
    public static void DecodeInto(ReadOnlySpan<byte> body, DecodedBatch batch)
    {
        var (events, rejections) = (batch.Events.Count, batch.Rejections.Count);
        try
        {
            DecodeBody(body, batch);
        }
        catch (TelemetryFormatException)
        {
            batch.Truncate(events, rejections);
            throw;
        }
        catch (Exception ex)
        {
            batch.Truncate(events, rejections);
            // A reader failure no case below foresaw: still the body's fault, and still a clear answer.
            throw new TelemetryFormatException($"The body could not be decoded: {ex.Message}");
        }
    }

    private static void DecodeBody(ReadOnlySpan<byte> body, DecodedBatch batch)
    {
        var start = FirstNonWhitespace(body);
        if (start < 0)
        {
            throw new TelemetryFormatException("The body is empty: send a JSON array of events or NDJSON (one event object per line).");
        }

        switch (body[start])
        {
            case (byte)'[':
                DecodeArray(body, batch);
                break;
            case (byte)'{':
            case var _ when HasObjectLine(body): // NDJSON whose first line is broken: the other lines still count
                DecodeLines(body, batch);
                break;
            case var c:
                throw new TelemetryFormatException($"The body must be a JSON array of events or NDJSON (one event object per line); it starts with '{(char)c}'.");
        }
    }

    private static void DecodeArray(ReadOnlySpan<byte> body, DecodedBatch batch)
    {
        var scratch = new List<float>(64);
        var reader = new Utf8JsonReader(body, ReaderOptions);
        try
        {
            reader.Read();
            var index = 0;
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (reader.TokenType == JsonTokenType.StartObject)
                {
                    ReadEvent(ref reader, index, batch, scratch);
                }
                else
                {
                    batch.Rejections.Add(new EventRejection(index, $"element {index} is {Describe(reader.TokenType)}, not an event object"));
                    reader.Skip();
                }

                index++;
            }

            if (reader.TokenType != JsonTokenType.EndArray)
            {
                throw new TelemetryFormatException("Malformed JSON: the array of events is not closed with ']'.");
            }

            reader.Read(); // throws when anything but whitespace follows the array
        }
        catch (JsonException ex)
        {
            throw new TelemetryFormatException(MalformedMessage(ex, body, lineOffset: 0));
        }
    }

    private static void DecodeLines(ReadOnlySpan<byte> body, DecodedBatch batch)
    {
        batch.Events.EnsureCapacity(batch.Events.Count + Math.Min(body.Count((byte)'\n') + 1, body.Length / MinEventBytes));
        var scratch = new List<float>(64);
        var index = 0;
        var lineNumber = 0;
        while (!body.IsEmpty)
        {
            lineNumber++;
            var end = body.IndexOf((byte)'\n');
            var line = end < 0 ? body : body[..end];
            body = end < 0 ? [] : body[(end + 1)..];
            if (FirstNonWhitespace(line) < 0)
            {
                continue;
            }

            DecodeLine(line, index, lineNumber, batch, scratch);
            index++;
        }
    }

    private static void DecodeLine(ReadOnlySpan<byte> line, int index, int lineNumber, DecodedBatch batch, List<float> scratch)
    {
        var reader = new Utf8JsonReader(line, ReaderOptions);
        var (events, rejections) = (batch.Events.Count, batch.Rejections.Count);
        try
        {
            reader.Read();
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                batch.Rejections.Add(new EventRejection(index, $"line {lineNumber} is {Describe(reader.TokenType)}, not an event object"));
                return;
            }

            ReadEvent(ref reader, index, batch, scratch);
            reader.Read(); // throws when anything but whitespace follows the object
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            // Only what this line appended: the batch may hold other messages' events under the same index.
            batch.Truncate(events, rejections);
            var reason = ex is JsonException json
                ? MalformedMessage(json, line, lineOffset: lineNumber - 1)
                : $"line {lineNumber} could not be decoded: {ex.Message}";
            batch.Rejections.Add(new EventRejection(index, reason));
        }
    }

    // The reader is on the object's StartObject; it is left on the matching EndObject. The values are read
    // into the batch's scratch list and stored in the batch, and the ids are the batch's strings: an event
    // allocates nothing of its own.
    private static void ReadEvent(ref Utf8JsonReader reader, int index, DecodedBatch batch, List<float> scratch)
    {
        string? fleetId = null, deviceId = null, error = null;
        long? ts = null, seq = null;
        ReadOnlyMemory<float>? values = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("fleetId"u8))
            {
                reader.Read();
                fleetId = ReadId(ref reader, "fleetId", batch, ref error);
            }
            else if (reader.ValueTextEquals("deviceId"u8))
            {
                reader.Read();
                deviceId = ReadId(ref reader, "deviceId", batch, ref error);
            }
            else if (reader.ValueTextEquals("ts"u8))
            {
                reader.Read();
                ts = ReadInteger(ref reader, "ts", "Unix milliseconds", ref error);
            }
            else if (reader.ValueTextEquals("seq"u8))
            {
                reader.Read();
                seq = ReadInteger(ref reader, "seq", "a per-device sequence number", ref error);
            }
            else if (reader.ValueTextEquals("values"u8))
            {
                reader.Read();
                values = ReadValues(ref reader, scratch, batch, ref error);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        if (error is null)
        {
            batch.Events.Add((index, new TelemetryEvent(fleetId, deviceId, ts, seq, values)));
        }
        else
        {
            batch.Rejections.Add(new EventRejection(index, error));
        }
    }

    private static string? ReadId(ref Utf8JsonReader reader, string name, DecodedBatch batch, ref string? error)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String when reader.ValueSpan.Length > TelemetryValidator.MaxIdLength * 6:
                // Longer than any id can be even fully escaped: refused without making a string of it.
                error ??= $"{name} is longer than {TelemetryValidator.MaxIdLength} characters";
                return null;
            case JsonTokenType.String:
                if (TryGetId(ref reader, batch, out var text))
                {
                    return text;
                }

                error ??= $"{name} is not valid text: it holds bytes that are not UTF-8 or an unpaired surrogate escape";
                return null;
            case JsonTokenType.Null:
                return null;
            default:
                error ??= $"{name} must be a string, got {Describe(reader.TokenType)}";
                reader.Skip();
                return null;
        }
    }

    private static long? ReadInteger(ref Utf8JsonReader reader, string name, string meaning, ref string? error)
    {
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var value))
        {
            return value;
        }

        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        error ??= reader.TokenType == JsonTokenType.Number
            ? $"{name} must be an integer ({meaning}), got {Excerpt(reader.ValueSpan)}"
            : $"{name} must be an integer ({meaning}), got {Describe(reader.TokenType)}";
        reader.Skip();
        return null;
    }

    private static ReadOnlyMemory<float>? ReadValues(ref Utf8JsonReader reader, List<float> values, DecodedBatch batch, ref string? error)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            error ??= $"values must be an array of numbers, got {Describe(reader.TokenType)}";
            reader.Skip();
            return null;
        }

        values.Clear();
        var count = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            var i = count++;
            if (i >= MaxValuesRead)
            {
                error ??= $"values has more than {MaxValuesRead} entries";
                reader.Skip();
                continue;
            }

            values.Add(0);
            switch (reader.TokenType)
            {
                case JsonTokenType.Number:
                    if (reader.TryGetDouble(out var d) && double.IsFinite(d) && Math.Abs(d) <= float.MaxValue)
                    {
                        values[i] = (float)d;
                    }
                    else
                    {
                        error ??= $"values[{i}] = {Excerpt(reader.ValueSpan)} is outside the float32 range";
                    }

                    break;
                case JsonTokenType.String:
                    error ??= NonFiniteName(ref reader) is { } name
                        ? $"values[{i}] is {name}: only finite numbers are accepted"
                        : $"values[{i}] must be a number, got the string \"{Excerpt(reader.ValueSpan)}\"";
                    break;
                case JsonTokenType.Null:
                    error ??= $"values[{i}] is null: every feature needs a finite number";
                    break;
                default:
                    error ??= $"values[{i}] must be a number, got {Describe(reader.TokenType)}";
                    reader.Skip();
                    break;
            }
        }

        return error is null ? batch.Values.Store(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(values)) : null; // a rejected event needs no copy
    }

    // The id's characters (at most as many as its UTF-8 bytes, which the caller bounded) decoded on the stack.
    private static bool TryGetId(ref Utf8JsonReader reader, DecodedBatch batch, out string? text)
    {
        try
        {
            Span<char> chars = stackalloc char[reader.ValueSpan.Length];
            text = batch.Id(chars[..reader.CopyString(chars)]);
            return true;
        }
        catch (InvalidOperationException)
        {
            // Invalid UTF-8, or an escape that decodes to an unpaired surrogate.
            text = null;
            return false;
        }
    }

    // The strings some writers put for non-finite numbers, named in the rejection.
    private static string? NonFiniteName(ref Utf8JsonReader reader)
    {
        var text = reader.ValueIsEscaped ? [] : reader.ValueSpan;
        return text.SequenceEqual("NaN"u8) ? "NaN"
            : text.SequenceEqual("Infinity"u8) ? "Infinity"
            : text.SequenceEqual("-Infinity"u8) ? "-Infinity"
            : text.SequenceEqual("+Infinity"u8) ? "+Infinity"
            : null;
    }

    // The start of client-supplied bytes for a message: bounded, and invalid UTF-8 shown as U+FFFD.
    private static string Excerpt(ReadOnlySpan<byte> bytes) =>
        bytes.Length <= ExcerptBytes
            ? System.Text.Encoding.UTF8.GetString(bytes)
            : System.Text.Encoding.UTF8.GetString(bytes[..ExcerptBytes]) + "…";

    private static string MalformedMessage(JsonException ex, ReadOnlySpan<byte> text, int lineOffset)
    {
        var line = (int)(ex.LineNumber ?? 0);
        var column = (int)(ex.BytePositionInLine ?? 0);
        var reason = ex.Message;
        var cut = reason.IndexOf(" LineNumber:", StringComparison.Ordinal);
        reason = cut > 0 ? reason[..cut] : reason;
        if (StartsWithNonFiniteLiteral(text, line, column))
        {
            reason = "NaN and Infinity are not JSON numbers; only finite numbers are accepted.";
        }

        return $"Malformed JSON at line {lineOffset + line + 1}, byte {column + 1}: {reason}";
    }

    private static bool StartsWithNonFiniteLiteral(ReadOnlySpan<byte> text, int line, int column)
    {
        for (var l = 0; l < line; l++)
        {
            var newline = text.IndexOf((byte)'\n');
            if (newline < 0)
            {
                return false;
            }

            text = text[(newline + 1)..];
        }

        if (column > text.Length)
        {
            return false;
        }

        var rest = text[column..];
        return rest.StartsWith("NaN"u8) || rest.StartsWith("Infinity"u8) || rest.StartsWith("-Infinity"u8);
    }

    // A value takes at least two bytes ("1,").
    private static bool HasObjectLine(ReadOnlySpan<byte> body)
    {
        for (var newline = body.IndexOf((byte)'\n'); newline >= 0; newline = body.IndexOf((byte)'\n'))
        {
            body = body[(newline + 1)..];
            var start = body.IndexOfAnyExcept(" \t\r"u8);
            if (start >= 0 && body[start] == (byte)'{')
            {
                return true;
            }
        }

        return false;
    }

    private static int FirstNonWhitespace(ReadOnlySpan<byte> text)
    {
        if (text.StartsWith("\uFEFF"u8))
        {
            return FirstNonWhitespace(text[3..]) is var i && i >= 0 ? i + 3 : -1;
        }

        return text.IndexOfAnyExcept(" \t\r\n"u8);
    }

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => token.ToString(),
    };
}
