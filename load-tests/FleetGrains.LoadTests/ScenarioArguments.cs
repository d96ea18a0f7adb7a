using System.Globalization;
using FleetGrains.Abstractions;

namespace FleetGrains.LoadTests;

/// <summary>The options given to a scenario, read with their defaults; a bad value is an <see cref="ArgumentException"/> naming the option.</summary>
public sealed class ScenarioArguments(bool quick, IReadOnlyDictionary<string, string> values, string? traceDirectory = null)
{
    /// <summary>Shorter runs: the whole scenario in under a minute.</summary>
    public bool Quick { get; } = quick;

    /// <summary>Where the scenarios that start silo processes write each silo's GC trace (<c>--trace</c>); null for none.</summary>
    public string? TraceDirectory { get; } = traceDirectory;

    public string? Text(string option) => values.GetValueOrDefault(option);

    /// <summary>The fleet's anomaly model of the scoring scenarios (<c>--model</c>), by default the committed SMD autoencoder.</summary>
    public ModelRef AnomalyModel() => ModelRef.Parse(Text("model") ?? "smd-machine-1-2-autoencoder@1");

    public int PositiveInt(string option, int fallback) =>
        values.TryGetValue(option, out var text) ? ParsePositive(text, option) : fallback;

    public IReadOnlyList<int> PositiveInts(string option, IReadOnlyList<int> fallback) =>
        values.TryGetValue(option, out var text) ? [.. text.Split(',').Select(t => ParsePositive(t, option))] : fallback;

    public double PositiveNumber(string option, double fallback)
    {
        if (!values.TryGetValue(option, out var text))
        {
            return fallback;
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : throw new ArgumentException($"--{option} takes a positive number, got '{text}'.");
    }

    private static int ParsePositive(string text, string option) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : throw new ArgumentException($"--{option} takes positive whole numbers, got '{text}'.");
}
