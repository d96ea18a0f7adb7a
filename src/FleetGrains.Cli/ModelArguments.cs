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
}
