using FleetGrains.Training.Data;
using FleetGrains.Training.Evaluation;
using FleetGrains.Training.Models;

namespace FleetGrains.Cli;

/// <summary>The model options <c>eval</c> and <c>train</c> read from their command line alike.</summary>
public static class ModelArguments
{
    /// <summary>SMD: the window model (<paramref name="kind"/>, else <c>--model autoencoder|lstm</c>), <c>--epochs N</c>, <c>--window W</c>.</summary>
    public static SmdEvaluationOptions Smd(CommandLine line, WindowModelKind? kind = null)
    {
        var options = new SmdEvaluationOptions();
        kind ??= line.Option("model") is { } text ? WindowModelOptions.ParseKind(text) : null;
        if (kind is { } chosen)
        {
            options = options with { Model = options.Model with { Kind = chosen } };
        }

        if (line.PositiveInt("epochs") is { } epochs)
        {
            options = options with { Model = options.Model.WithEpochs(epochs) };
        }

        if (line.PositiveInt("window") is { } window)
        {
            options = options with { Model = options.Model.WithWindow(window) };
        }

        return options;
    }

    /// <summary>C-MAPSS: the RUL model's networks (<c>--model cnn|lstm</c>, default <see cref="RulOptions.Network"/>), <c>--epochs N</c>, <c>--window W</c> (cycles).</summary>
    public static RulOptions Cmapss(CommandLine line)
    {
        var options = new RulOptions();
        if (line.Option("model") is { } network)
        {
            options = options with { Network = RulOptions.ParseNetwork(network) };
        }

        if (line.PositiveInt("epochs") is { } epochs)
        {
            options = options with { Training = options.Training with { Epochs = epochs } };
        }

        if (line.PositiveInt("window") is { } window)
        {
            options = options with { Window = window };
        }

        return options;
    }

    /// <summary>
    /// C-MAPSS: the subsets named by <c>--also-train FDxxx[,FDyyy]</c>, whose training engines the model of
    /// <paramref name="subset"/> also learns from (none without the option).
    /// </summary>
    public static IReadOnlyList<CmapssSubset> CmapssAlsoTrainOn(CommandLine line, string data, string subset)
    {
        if (line.Option("also-train") is not { } text)
        {
            return [];
        }

        var names = text.Split(',', StringSplitOptions.TrimEntries);
        if (names.Any(n => n.Length == 0) || names.Distinct().Count() != names.Length || names.Contains(subset))
        {
            throw new ArgumentException($"--also-train takes other subsets than {subset}, each once, separated by commas (e.g. FD003); got '{text}'.");
        }

        return [.. names.Select(name => CmapssSubset.Load(data, name))];
    }
}
