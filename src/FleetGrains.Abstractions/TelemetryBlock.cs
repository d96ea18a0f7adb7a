namespace FleetGrains.Abstractions;

/// <summary>
/// One device's samples of one ingest, column by column: sample i has sequence number <c>Seq[i]</c>, timestamp
/// <c>Timestamps[i]</c> (Unix milliseconds) and the <see cref="Features"/> values
/// <c>Values[i × Features .. (i + 1) × Features)</c> (row-major). One immutable block per device call instead of
/// one object per sample: the twin appends its rows by block copy. The sender must not change the memory the
/// columns point into until the call has answered.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record TelemetryBlock(
    [property: Id(0)] int Features,
    [property: Id(1)] ReadOnlyMemory<long> Seq,
    [property: Id(2)] ReadOnlyMemory<long> Timestamps,
    [property: Id(3)] ReadOnlyMemory<float> Values)
{
    public int Count => Seq.Length;

    /// <summary>Why the columns do not fit together, or null when they do; a device refuses such a block as a whole.</summary>
    public string? Problem =>
        Features < 1 ? $"a block needs at least one feature, got {Features}"
        : Timestamps.Length != Seq.Length ? $"the block has {Seq.Length} sequence numbers and {Timestamps.Length} timestamps"
        : Values.Length != (long)Seq.Length * Features ? $"the block has {Values.Length} values; {Seq.Length} samples of {Features} features need {(long)Seq.Length * Features}"
        : null;

    /// <summary>The values of sample <paramref name="sample"/>.</summary>
    public ReadOnlySpan<float> ValuesOf(int sample) => Values.Span.Slice(sample * Features, Features);

    /// <summary>The block of sample <paramref name="sample"/> alone (slices of the same columns).</summary>
    public TelemetryBlock Sample(int sample) =>
        new(Features, Seq.Slice(sample, 1), Timestamps.Slice(sample, 1), Values.Slice(sample * Features, Features));

    /// <summary>The block of <paramref name="samples"/>, which must all have the same number of values.</summary>
    public static TelemetryBlock Of(IReadOnlyList<TelemetrySample> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        var features = samples.Count == 0 ? 1 : samples[0].Values.Length;
        var seq = new long[samples.Count];
        var timestamps = new long[samples.Count];
        var values = new float[samples.Count * features];
        for (var i = 0; i < samples.Count; i++)
        {
            if (samples[i].Values.Length != features)
            {
                throw new ArgumentException($"Sample {i} has {samples[i].Values.Length} values and sample 0 {features}: a block holds samples of one feature count.", nameof(samples));
            }

            seq[i] = samples[i].Seq;
            timestamps[i] = samples[i].Timestamp;
            samples[i].Values.CopyTo(values, i * features);
        }

        return new TelemetryBlock(features, seq, timestamps, values);
    }
}
