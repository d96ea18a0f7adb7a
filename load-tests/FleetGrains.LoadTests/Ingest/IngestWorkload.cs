using System.Globalization;
using System.Text;
using FleetGrains.Ingestion;
using FleetGrains.Ingestion.Binary;
using Google.Protobuf;

namespace FleetGrains.LoadTests.Ingest;

/// <summary>
/// The telemetry of an ingest run, as gateways send it: every device reports <see cref="EventsPerDevice"/> events
/// (seq 1…, one second apart in device time), and a batch carries <see cref="BatchEventsPerDevice"/> consecutive
/// events of each of <see cref="DevicesPerBatch"/> devices (a gateway's buffered readings). Before them each
/// device sends one warm-up event (seq 0) so that every grain is active before the clock starts. NDJSON bodies, or
/// binary batches (<see cref="WorkloadFormat.Binary"/>: the same readings, one block per device); deterministic:
/// the same workload gives the same bytes.
/// </summary>
public sealed class IngestWorkload
{
    private const int ValueChoices = 64;
    private readonly byte[][][] _valueText; // [feature][choice]: the UTF-8 text of one reading
    private readonly float[][] _values; // [feature][choice]: the same reading as a number
    private readonly long _firstTimestamp;

    public IngestWorkload(
        string fleetId, int devices, int features, int eventsPerDevice, int batchEventsPerDevice, int devicesPerBatch, WorkloadFormat format = WorkloadFormat.Json)
    {
        if (eventsPerDevice % batchEventsPerDevice != 0)
        {
            throw new ArgumentException($"--events ({eventsPerDevice}) must be a multiple of --per-batch ({batchEventsPerDevice}).");
        }

        FleetId = fleetId;
        Format = format;
        Devices = devices;
        Features = features;
        EventsPerDevice = eventsPerDevice;
        BatchEventsPerDevice = batchEventsPerDevice;
        DevicesPerBatch = Math.Min(devicesPerBatch, devices);
        // Readings near 10·f with some spread, so that the statistics and the model see varied windows.
        _valueText = [.. Enumerable.Range(0, features).Select(f => Enumerable.Range(0, ValueChoices)
            .Select(c => Encoding.UTF8.GetBytes((10 * f + ((c - (ValueChoices / 2)) / 64.0)).ToString("0.###", CultureInfo.InvariantCulture))).ToArray())];
        _values = [.. _valueText.Select(choices => choices.Select(text => float.Parse(Encoding.UTF8.GetString(text), CultureInfo.InvariantCulture)).ToArray())];
        _firstTimestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - ((eventsPerDevice + 1) * 1000L);
    }

    public WorkloadFormat Format { get; }

    /// <summary>The HTTP content type of the bodies.</summary>
    public string ContentType => Format == WorkloadFormat.Binary ? BinaryBatchDecoder.ContentType : "application/x-ndjson";

    /// <summary>The Redis Streams entry field of a body of several events (<see cref="SingleEventField"/>: of one).</summary>
    public string BatchField => Format == WorkloadFormat.Binary ? "batch" : "events";

    public string SingleEventField => Format == WorkloadFormat.Binary ? "batch" : "event";

    public string FleetId { get; }

    public int Devices { get; }

    public int Features { get; }

    public int EventsPerDevice { get; }

    public int BatchEventsPerDevice { get; }

    public int DevicesPerBatch { get; }

    /// <summary>Batches per round; a round gives every device <see cref="BatchEventsPerDevice"/> events.</summary>
    public int Groups => (Devices + DevicesPerBatch - 1) / DevicesPerBatch;

    public int Rounds => EventsPerDevice / BatchEventsPerDevice;

    /// <summary>The events after the warm-up: what the clock measures.</summary>
    public long MeasuredEvents => (long)Devices * EventsPerDevice;

    public static string DeviceId(int device) => $"d{device:D7}";

    public IEnumerable<int> DevicesOf(int group) => Enumerable.Range(group * DevicesPerBatch, Math.Min(DevicesPerBatch, Devices - (group * DevicesPerBatch)));

    /// <summary>The warm-up event (seq 0) of every device of a group.</summary>
    public byte[] WarmupBody(int group) => Encode(DevicesOf(group).Select(d => (d, 0L)));

    /// <summary>Round <paramref name="round"/> of a group: each of its devices' next <see cref="BatchEventsPerDevice"/> events.</summary>
    public byte[] Body(int round, int group) =>
        Encode(DevicesOf(group).SelectMany(d => SeqsOf(round).Select(seq => (d, seq))));

    /// <summary>Every measured body, <c>[round][group]</c>: generated up front, so that no run generates while it is timed.</summary>
    public byte[][][] MeasuredBodies() =>
        [.. Enumerable.Range(0, Rounds).Select(r => Enumerable.Range(0, Groups).Select(g => Body(r, g)).ToArray())];

    /// <summary>One device's events of one round, as NDJSON (a Redis Streams entry of several events).</summary>
    public byte[] DeviceBatch(int device, int round) => Encode(SeqsOf(round).Select(seq => (device, seq)));

    public byte[] Event(int device, long seq) => Encode([(device, seq)]);

    /// <summary>A body's events, decoded as the silo decodes its format.</summary>
    public DecodedBatch Decode(byte[] body) => Format == WorkloadFormat.Binary ? BinaryBatchDecoder.Decode(body) : TelemetryDecoder.Decode(body);

    private IEnumerable<long> SeqsOf(int round) => Enumerable.Range(1 + (round * BatchEventsPerDevice), BatchEventsPerDevice).Select(s => (long)s);

    private byte[] Encode(IEnumerable<(int Device, long Seq)> events) => Format == WorkloadFormat.Binary ? Binary(events) : Ndjson(events);

    // Consecutive events of one device make one block.
    private byte[] Binary(IEnumerable<(int Device, long Seq)> events)
    {
        var batch = new TelemetryBatch();
        DeviceBlock? block = null;
        var lastDevice = -1;
        foreach (var (device, seq) in events)
        {
            if (block is null || device != lastDevice)
            {
                block = new DeviceBlock { FleetId = FleetId, DeviceId = DeviceId(device), Features = (uint)Features };
                batch.Devices.Add(block);
                lastDevice = device;
            }

            block.Seq.Add(seq);
            block.Ts.Add(_firstTimestamp + (seq * 1000));
            var mix = Mix(device, seq);
            for (var f = 0; f < Features; f++)
            {
                mix = Next(mix);
                block.Values.Add(_values[f][mix >> 26]);
            }
        }

        return batch.ToByteArray();
    }

    private static uint Mix(int device, long seq) => (uint)((device * 7919) + (seq * 104729));

    private static uint Next(uint mix) => (mix * 1664525) + 1013904223; // a fixed pseudo-random walk through the choices

    private byte[] Ndjson(IEnumerable<(int Device, long Seq)> events)
    {
        using var body = new MemoryStream();
        var first = true;
        foreach (var (device, seq) in events)
        {
            if (!first)
            {
                body.WriteByte((byte)'\n');
            }

            first = false;
            Write(body, $"{{\"fleetId\":\"{FleetId}\",\"deviceId\":\"{DeviceId(device)}\",\"ts\":{_firstTimestamp + (seq * 1000)},\"seq\":{seq},\"values\":[");
            var mix = Mix(device, seq);
            for (var f = 0; f < Features; f++)
            {
                if (f > 0)
                {
                    body.WriteByte((byte)',');
                }

                mix = Next(mix);
                body.Write(_valueText[f][mix >> 26]);
            }

            Write(body, "]}");
        }

        return body.ToArray();
    }

    private static void Write(MemoryStream body, string text) => body.Write(Encoding.UTF8.GetBytes(text));
}

/// <summary>How a workload's bodies are written: NDJSON, or binary batches (telemetry_batch.proto).</summary>
public enum WorkloadFormat
{
    Json,
    Binary,
}
