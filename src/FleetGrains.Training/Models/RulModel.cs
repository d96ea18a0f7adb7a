using FleetGrains.Training.Data;
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
    /// Trains on every window of every engine that ran to failure, targets min(RUL, cap) / cap; member i uses seed
    /// <c>options.Seed + i</c>. One network stops early on the last <see cref="TrainingOptions.ValidationFraction"/> of
    /// the windows. The members of an ensemble stop early on different engines instead: the engines are split into as
    /// many contiguous folds as there are members, member i validates on fold i and trains on the others, so the
    /// ensemble learns from every engine (chosen over one shared split on held-out FD001 engines, models/README.md).
    /// The report judges each held-out window or engine by the members that did not train on it.
    /// </summary>
    public RulTrainingReport Train(IReadOnlyList<EngineRun> engines, TrainingOptions options) =>
        Networks.Count == 1 ? TrainOnOneSplit(engines, options) : TrainOnFolds(engines, options);

    private RulTrainingReport TrainOnOneSplit(IReadOnlyList<EngineRun> engines, TrainingOptions options)
    {
        var (x, y) = Rows(engines);
        var rows = y.Length;
        var report = Trainer.Fit(Networks[0], x, y, rows, options);
        var first = rows - (int)Math.Round(rows * options.ValidationFraction);
        return new RulTrainingReport([report], Math.Sqrt(ValidationError(x, y, first, Networks) / (rows - first)), TestLikeRmse(HeldOutEngines(engines, first)));
    }

    private RulTrainingReport TrainOnFolds(IReadOnlyList<EngineRun> engines, TrainingOptions options)
    {
        if (engines.Count < Networks.Count)
        {
            throw new ArgumentException($"{engines.Count} engines are too few for {Networks.Count} folds, one per member of the ensemble.", nameof(engines));
        }

        var foldStarts = Enumerable.Range(0, Networks.Count + 1).Select(i => i * engines.Count / Networks.Count).ToArray();
        var folds = Enumerable.Range(0, Networks.Count).Select(i => engines.Take(foldStarts[i + 1]).Skip(foldStarts[i]).ToList()).ToList();
        var heldRows = folds.Select(fold => fold.Sum(WindowCount)).ToArray();
        if (Array.IndexOf(heldRows, 0) is var empty and >= 0)
        {
            throw new ArgumentException($"No engine of fold {empty + 1} of {Networks.Count} (engines {foldStarts[empty] + 1}–{foldStarts[empty + 1]}) has a full window of {Window} cycles to validate on.", nameof(engines));
        }

        var members = new TrainingReport[Networks.Count];
        var squaredErrors = new double[Networks.Count];
        var testLike = new (double SquaredError, int Cuts)[Networks.Count];
        // The members are independent: they train side by side, each on its own copy of the windows, exactly as alone.
        Parallel.For(0, Networks.Count, i =>
        {
            var (x, y) = Rows(engines.Take(foldStarts[i]).Concat(engines.Skip(foldStarts[i + 1])).Concat(folds[i]));
            members[i] = Trainer.Fit(Networks[i], x, y, y.Length, options with { Seed = options.Seed + i }, heldRows[i]);
            squaredErrors[i] = ValidationError(x, y, y.Length - heldRows[i], [Networks[i]]);
            testLike[i] = TestLikeError(folds[i], [Networks[i]]);
        });

        var cuts = testLike.Sum(t => t.Cuts);
        return new RulTrainingReport(
            members,
            Math.Sqrt(squaredErrors.Sum() / heldRows.Sum()),
            cuts == 0 ? double.NaN : Math.Sqrt(testLike.Sum(t => t.SquaredError) / cuts));
    }

    // The squared error, in cycles², of the members' mean prediction over rows [first, end) against their capped target.
    private double ValidationError(float[] x, float[] y, int first, IReadOnlyList<Sequential> members)
    {
        var predicted = Predict(x.AsSpan(first * members[0].InputSize), y.Length - first, members);
        return predicted.Select((p, r) => Math.Pow(p - (y[first + r] * Cap), 2)).Sum();
    }

    private int WindowCount(EngineRun engine) => Math.Max(0, engine.Cycles.Count - Window + 1);

    // Every full window of the engines (inputs as the members read them) and its target, min(RUL, cap) / cap.
    private (float[] X, float[] Y) Rows(IEnumerable<EngineRun> engines)
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

        return (inputs.ToArray(), targets.ToArray());
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
        var (squaredError, cuts) = TestLikeError(engines, Networks, cutsPerEngine, minimumHistory, maximumRul, seed);
        return cuts == 0 ? double.NaN : Math.Sqrt(squaredError / cuts);
    }

    // The squared error, in cycles², summed over the test-like cuts of the engines, and how many cuts there were.
    private (double SquaredError, int Cuts) TestLikeError(IReadOnlyList<EngineRun> engines, IReadOnlyList<Sequential> members, int cutsPerEngine = 30, int minimumHistory = 31, int maximumRul = 145, int seed = 1)
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

        var predicted = Predict(windows.ToArray(), truth.Count, members);
        return (predicted.Select((p, i) => Math.Pow((double)p - truth[i], 2)).Sum(), truth.Count);
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

            row += WindowCount(engine);
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
    public float[] Predict(ReadOnlySpan<float> windows, int rows) => Predict(windows, rows, Networks);

    private float[] Predict(ReadOnlySpan<float> windows, int rows, IReadOnlyList<Sequential> members)
    {
        var sum = new float[rows];
        foreach (var network in members)
        {
            System.Numerics.Tensors.TensorPrimitives.Add(sum, network.Forward(windows[..(rows * network.InputSize)], rows), sum);
        }

        return [.. sum.Select(total => Math.Max(0, total / members.Count * Cap))];
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
/// How each member trained, and the RMSE in cycles on the training engines held out from it: over all their windows
/// against the capped target, and at random cuts against the true RUL (<see cref="RulModel.TestLikeRmse"/>). An
/// ensemble's figures judge each fold by the one member that did not train on it, so they are single networks' figures.
/// </summary>
public sealed record RulTrainingReport(IReadOnlyList<TrainingReport> Members, double ValidationRmse, double TestLikeRmse)
{
    public int Epochs => Members.Sum(m => m.TrainLoss.Count);
}
