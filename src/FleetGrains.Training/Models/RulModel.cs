using FleetGrains.Training.Data;
using FleetGrains.Training.Nn;

namespace FleetGrains.Training.Models;

/// <summary>
/// Remaining useful life from the last W cycles of an engine: a temporal convolutional network
/// (1-D convolutions over time, then two dense layers) over the informative sensors, normalised
/// by the training data. It predicts RUL / cap; predictions are scaled back and never below 0.
/// </summary>
public sealed class RulModel
{
    public RulModel(int window, int[] sensors, Normaliser normaliser, float cap, Sequential network)
    {
        if (network.InputSize != window * sensors.Length || network.OutputSize != 1 || normaliser.Features != sensors.Length)
        {
            throw new ArgumentException($"The network must map {sensors.Length} sensors × {window} cycles to one value.");
        }

        Window = window;
        Sensors = sensors;
        Normaliser = normaliser;
        Cap = cap;
        Network = network;
    }

    public int Window { get; }

    /// <summary>The sensor indices (0-based, of the 21) the model reads.</summary>
    public int[] Sensors { get; }

    public Normaliser Normaliser { get; }

    public float Cap { get; }

    public Sequential Network { get; }

    /// <summary>Sensors with at least three distinct values in the training data; the others carry no information.</summary>
    public static int[] InformativeSensors(IReadOnlyList<EngineRun> engines) =>
        [.. Enumerable.Range(0, CmapssSubset.SensorCount)
            .Where(s => engines.SelectMany(e => e.Cycles).Select(c => c[s]).Distinct().Take(3).Count() >= 3)];

    public static RulModel Create(IReadOnlyList<EngineRun> train, RulOptions options)
    {
        var sensors = InformativeSensors(train);
        var normaliser = Normaliser.Fit([.. train.SelectMany(e => e.Cycles).Select(c => Select(c, sensors))]);
        var random = new Random(options.Training.Seed);
        var layers = new List<ILayer>();
        var (channels, length) = (sensors.Length, options.Window);
        for (var i = 0; i < options.ConvolutionLayers; i++)
        {
            var conv = new Conv1DLayer(channels, length, options.Filters, options.Kernel, random, $"conv{i + 1}");
            layers.Add(conv);
            layers.Add(new ActivationLayer(Activation.Relu, conv.OutputSize));
            (channels, length) = (options.Filters, conv.OutputLength);
        }

        layers.Add(new DenseLayer(channels * length, options.Hidden, random, "dense1"));
        layers.Add(new ActivationLayer(Activation.Relu, options.Hidden));
        layers.Add(new DenseLayer(options.Hidden, 1, random, "dense2"));
        var network = new Sequential(layers);
        return new RulModel(options.Window, sensors, normaliser, options.RulCap, network);
    }

    /// <summary>Trains on every window of every engine that ran to failure, targets min(RUL, cap) / cap.</summary>
    public TrainingReport Train(IReadOnlyList<EngineRun> engines, TrainingOptions options)
    {
        var inputs = new List<float>();
        var targets = new List<float>();
        foreach (var engine in engines)
        {
            for (var end = Window - 1; end < engine.Cycles.Count; end++)
            {
                inputs.AddRange(ChannelMajorWindow(engine, end));
                targets.Add(Math.Min(Cap, engine.Cycles.Count - 1 - end) / Cap);
            }
        }

        return Trainer.Fit(Network, [.. inputs], [.. targets], targets.Count, options);
    }

    /// <summary>The predicted RUL at each engine's last cycle.</summary>
    public float[] PredictAtLastCycle(IReadOnlyList<EngineRun> engines)
    {
        var inputs = engines.SelectMany(e => ChannelMajorWindow(e, e.Cycles.Count - 1)).ToArray();
        return [.. Network.Forward(inputs, engines.Count).Select(y => Math.Max(0, y * Cap))];
    }

    /// <summary>
    /// The normalised window of cycles ending at <paramref name="end"/>, as [sensor, cycle] (what the
    /// convolution reads). Cycles before the first are the first cycle repeated.
    /// </summary>
    public float[] ChannelMajorWindow(EngineRun engine, int end)
    {
        var window = new float[Sensors.Length * Window];
        var normalised = new float[Sensors.Length];
        for (var t = 0; t < Window; t++)
        {
            var cycle = Math.Max(0, end - Window + 1 + t);
            Normaliser.Apply(Select(engine.Cycles[cycle], Sensors), normalised);
            for (var s = 0; s < Sensors.Length; s++)
            {
                window[(s * Window) + t] = normalised[s];
            }
        }

        return window;
    }

    private static float[] Select(float[] cycle, int[] sensors) => [.. sensors.Select(s => cycle[s])];
}
