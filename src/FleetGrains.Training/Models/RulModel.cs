using FleetGrains.Training.Data;
using FleetGrains.Training.Evaluation;
using FleetGrains.Training.Nn;

namespace FleetGrains.Training.Models;

/// <summary>
/// Remaining useful life from the last W cycles of an engine: an ensemble of temporal networks (1-D
/// convolutions over time, or LSTM layers, then two dense layers) over the informative sensors,
/// normalised by the training data, each trained from its own seed. Each network predicts RUL / cap;
/// the model predicts their mean, scaled back and never below 0.
/// </summary>
public sealed class RulModel
{
    public RulModel(int window, int[] sensors, Normaliser normaliser, float cap, IReadOnlyList<Sequential> networks, RulNetwork network = RulNetwork.Cnn)
    {
        if (networks.Count == 0)
        {
            throw new ArgumentException("A RUL model needs at least one network.", nameof(networks));
        }

        if (networks.Any(n => n.InputSize != window * sensors.Length || n.OutputSize != 1) || normaliser.Features != sensors.Length)
        {
            throw new ArgumentException($"Every network must map {sensors.Length} sensors × {window} cycles to one value.");
        }

        Window = window;
        Sensors = sensors;
        Normaliser = normaliser;
        Cap = cap;
        Networks = networks;
        Network = network;
    }

    public int Window { get; }

    /// <summary>The sensor indices (0-based, of the readings of each cycle) the model reads.</summary>
    public int[] Sensors { get; }

    public Normaliser Normaliser { get; }

    public float Cap { get; }

    /// <summary>The members of the ensemble; member i was initialised and trained with seed Seed + i.</summary>
    public IReadOnlyList<Sequential> Networks { get; }

    /// <summary>The kind of every member; it decides the layout of the window they read (<see cref="NetworkWindow"/>).</summary>
    public RulNetwork Network { get; }

    /// <summary>Sensors with at least three distinct values in the training data; the others carry no information.</summary>
    public static int[] InformativeSensors(IReadOnlyList<EngineRun> engines) =>
        [.. Enumerable.Range(0, engines[0].Cycles[0].Length)
            .Where(s => engines.SelectMany(e => e.Cycles).Select(c => c[s]).Distinct().Take(3).Count() >= 3)];

    public static RulModel Create(IReadOnlyList<EngineRun> train, RulOptions options)
    {
        var sensors = InformativeSensors(train);
        var normaliser = Normaliser.Fit([.. train.SelectMany(e => e.Cycles).Select(c => Select(c, sensors))]);
        var networks = Enumerable.Range(0, options.EnsembleSize).Select(i => CreateNetwork(sensors.Length, options, new Random(options.Training.Seed + i))).ToList();
        return new RulModel(options.Window, sensors, normaliser, options.RulCap, networks, options.Network);
    }

    private static Sequential CreateNetwork(int sensorCount, RulOptions options, Random random) => options.Network switch
    {
        RulNetwork.Cnn => CreateConvolutional(sensorCount, options, random),
        RulNetwork.Lstm => CreateRecurrent(sensorCount, options, random),
        _ => throw new ArgumentOutOfRangeException(nameof(options), options.Network, "unknown RUL network"),
    };

    private static Sequential CreateRecurrent(int sensorCount, RulOptions options, Random random)
    {
        var layers = new List<ILayer>();
        var features = sensorCount;
        for (var i = 0; i < options.LstmLayers; i++)
        {
            var last = i == options.LstmLayers - 1;
            layers.Add(new LstmLayer(options.Window, features, options.LstmUnits, random, $"lstm{i + 1}", returnSequences: !last));
            features = options.LstmUnits;
        }

        return WithDenseHead(layers, options.LstmUnits, options, random);
    }

    private static Sequential CreateConvolutional(int sensorCount, RulOptions options, Random random)
    {
        var layers = new List<ILayer>();
        var (channels, length) = (sensorCount, options.Window);
        for (var i = 0; i < options.ConvolutionLayers; i++)
        {
            var conv = new Conv1DLayer(channels, length, options.Filters, options.Kernel, random, $"conv{i + 1}", options.SamePadding);
            layers.Add(conv);
            layers.Add(new ActivationLayer(options.Activation, conv.OutputSize));
            (channels, length) = (options.Filters, conv.OutputLength);
        }

        return WithDenseHead(layers, channels * length, options, random);
    }

    private static Sequential WithDenseHead(List<ILayer> layers, int inputs, RulOptions options, Random random)
    {
        layers.Add(new DenseLayer(inputs, options.Hidden, random, "dense1"));
        layers.Add(new ActivationLayer(options.Activation, options.Hidden));
        layers.Add(new DenseLayer(options.Hidden, 1, random, "dense2"));
        return new Sequential(layers);
    }

    /// <summary>
    /// Trains every member on every window of every engine that ran to failure, targets
    /// min(RUL, cap) / cap; member i uses seed <c>options.Seed + i</c>. All members hold out the same
    /// validation rows (the last engines), on which the ensemble's RMSE is reported.
    /// </summary>
    public RulTrainingReport Train(IReadOnlyList<EngineRun> engines, TrainingOptions options)
    {
        var inputs = new List<float>();
        var targets = new List<float>();
        foreach (var engine in engines)
        {
            for (var end = Window - 1; end < engine.Cycles.Count; end++)
            {
                inputs.AddRange(NetworkWindow(engine, end));
                targets.Add(Math.Min(Cap, engine.Cycles.Count - 1 - end) / Cap);
            }
        }

        var (x, y, rows) = (inputs.ToArray(), targets.ToArray(), targets.Count);
        // The members are independent: they train side by side, each exactly as it would alone.
        var members = new TrainingReport[Networks.Count];
        Parallel.For(0, Networks.Count, i => members[i] = Trainer.Fit(Networks[i], x, y, rows, options with { Seed = options.Seed + i }));
        var validationRows = (int)Math.Round(rows * options.ValidationFraction);
        var first = rows - validationRows;
        var predicted = Predict(x.AsSpan(first * Networks[0].InputSize), validationRows);
        var squaredError = predicted.Select((p, i) => Math.Pow(p - (y[first + i] * Cap), 2)).Sum();
        return new RulTrainingReport(members, Math.Sqrt(squaredError / validationRows), TestLikeRmse(HeldOutEngines(engines, first)));
    }

    /// <summary>
    /// The RMSE, in cycles, of predictions for <paramref name="engines"/> cut short as the test files cut theirs: each at
    /// <paramref name="cutsPerEngine"/> random cycles (seeded) after at least <paramref name="minimumHistory"/> cycles,
    /// judged against the true, uncapped RUL at the cut where that is at most <paramref name="maximumRul"/> (the range of
    /// the published test files). Unlike the validation RMSE over every window against the capped target, mostly easy
    /// early cycles, it tracks the test figure (models/README.md); NaN without such cuts.
    /// </summary>
    public double TestLikeRmse(IReadOnlyList<EngineRun> engines, int cutsPerEngine = 30, int minimumHistory = 31, int maximumRul = 145, int seed = 1)
    {
        var random = new Random(seed);
        var windows = new List<float>();
        var truth = new List<float>();
        foreach (var engine in engines.Where(e => e.Cycles.Count > minimumHistory))
        {
            for (var i = 0; i < cutsPerEngine; i++)
            {
                var length = random.Next(minimumHistory, engine.Cycles.Count);
                var rul = engine.Cycles.Count - length;
                if (rul <= maximumRul)
                {
                    windows.AddRange(NetworkWindow(engine, length - 1));
                    truth.Add(rul);
                }
            }
        }

        return truth.Count == 0 ? double.NaN : RegressionMetrics.Rmse(Predict(windows.ToArray(), truth.Count), [.. truth]);
    }

    // The engines none of whose windows the members trained on: those from the validation rows' first engine on.
    private IReadOnlyList<EngineRun> HeldOutEngines(IReadOnlyList<EngineRun> engines, int firstValidationRow)
    {
        var row = 0;
        var heldOut = new List<EngineRun>();
        foreach (var engine in engines)
        {
            if (row >= firstValidationRow)
            {
                heldOut.Add(engine);
            }

            row += Math.Max(0, engine.Cycles.Count - Window + 1);
        }

        return heldOut;
    }

    /// <summary>The predicted RUL at each engine's last cycle.</summary>
    public float[] PredictAtLastCycle(IReadOnlyList<EngineRun> engines)
    {
        var inputs = engines.SelectMany(e => NetworkWindow(e, e.Cycles.Count - 1)).ToArray();
        return Predict(inputs, engines.Count);
    }

    /// <summary>The ensemble's RUL in cycles (≥ 0) for <paramref name="rows"/> windows laid out as <see cref="NetworkWindow"/> gives them.</summary>
    public float[] Predict(ReadOnlySpan<float> windows, int rows)
    {
        var sum = new float[rows];
        foreach (var network in Networks)
        {
            System.Numerics.Tensors.TensorPrimitives.Add(sum, network.Forward(windows[..(rows * network.InputSize)], rows), sum);
        }

        return [.. sum.Select(total => Math.Max(0, total / Networks.Count * Cap))];
    }

    /// <summary>The normalised window ending at <paramref name="end"/> as the members read it: [sensor, cycle] for convolutions, [cycle, sensor] for LSTMs.</summary>
    public float[] NetworkWindow(EngineRun engine, int end) =>
        Network == RulNetwork.Lstm ? TimeMajorWindow(engine, end) : ChannelMajorWindow(engine, end);

    /// <summary>The normalised window of cycles ending at <paramref name="end"/>, as [cycle, sensor], oldest first; cycles before the first are the first cycle repeated.</summary>
    public float[] TimeMajorWindow(EngineRun engine, int end)
    {
        var window = new float[Sensors.Length * Window];
        for (var t = 0; t < Window; t++)
        {
            Normaliser.Apply(Select(engine.Cycles[Math.Max(0, end - Window + 1 + t)], Sensors), window.AsSpan(t * Sensors.Length, Sensors.Length));
        }

        return window;
    }

    /// <summary>
    /// The normalised window of cycles ending at <paramref name="end"/>, as [sensor, cycle] (what a
    /// convolution reads). Cycles before the first are the first cycle repeated.
    /// </summary>
    public float[] ChannelMajorWindow(EngineRun engine, int end)
    {
        var byCycle = TimeMajorWindow(engine, end);
        var window = new float[byCycle.Length];
        for (var t = 0; t < Window; t++)
        {
            for (var s = 0; s < Sensors.Length; s++)
            {
                window[(s * Window) + t] = byCycle[(t * Sensors.Length) + s];
            }
        }

        return window;
    }

    private static float[] Select(float[] cycle, int[] sensors) => [.. sensors.Select(s => cycle[s])];
}

/// <summary>
/// How each member trained, and the ensemble's RMSE in cycles on the held-out training engines: over all their windows
/// against the capped target, and at random cuts against the true RUL (<see cref="RulModel.TestLikeRmse"/>).
/// </summary>
public sealed record RulTrainingReport(IReadOnlyList<TrainingReport> Members, double ValidationRmse, double TestLikeRmse)
{
    public int Epochs => Members.Sum(m => m.TrainLoss.Count);
}
