using System.Globalization;
using FleetGrains.Training.Data;
using FleetGrains.Training.Evaluation;
using FleetGrains.Training.Models;
using FleetGrains.Training.Nn;
using FleetGrains.Training.Onnx;
using Microsoft.ML.OnnxRuntime;

namespace FleetGrains.Training.Tests;

public sealed class RulModelTests : IDisposable
{
    private static readonly RulOptions Options = new()
    {
        Window = 10,
        Filters = 4,
        Kernel = 3,
        Hidden = 16,
        RulCap = 60,
        Training = new TrainingOptions { Epochs = 40, BatchSize = 32, LearningRate = 3e-3f, Patience = 10, Seed = 3 },
    };

    private readonly string _folder = Directory.CreateTempSubdirectory("fleetgrains-cmapss-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>Engines whose sensors 0-2 wear towards failure; sensor 3 is constant, the rest noise.</summary>
    private static List<EngineRun> Engines(int count, int seed, bool cutShort, List<float>? trueRul = null)
    {
        var random = new Random(seed);
        var engines = new List<EngineRun>();
        for (var unit = 1; unit <= count; unit++)
        {
            var life = 80 + random.Next(60);
            var observed = cutShort ? 20 + random.Next(life - 25) : life;
            trueRul?.Add(life - observed);
            var cycles = Enumerable.Range(0, observed).Select(t =>
            {
                var wear = Math.Exp(3.0 * t / life) - 1;
                return Enumerable.Range(0, CmapssSubset.SensorCount).Select(s => (float)(s switch
                {
                    < 3 => 100 + (s * 10) + (wear * (s + 1)) + (0.3 * random.NextDouble()),
                    3 => 50,
                    _ => 20 + random.NextDouble(),
                })).ToArray();
            }).ToList();
            engines.Add(new EngineRun(unit, cycles));
        }

        return engines;
    }

    [Fact]
    public void InformativeSensors_LeavesOutConstantOnes()
    {
        var sensors = RulModel.InformativeSensors(Engines(3, seed: 1, cutShort: false));

        Assert.DoesNotContain(3, sensors);
        Assert.Contains(0, sensors);
        Assert.Equal(CmapssSubset.SensorCount - 1, sensors.Length);
    }

    [Theory]
    [InlineData(RulNetwork.Cnn)]
    [InlineData(RulNetwork.Lstm)]
    public void Model_LearnsRemainingLife_BetterThanPredictingTheMean(RulNetwork network)
    {
        var train = Engines(40, seed: 2, cutShort: false);
        var rul = new List<float>();
        var test = Engines(30, seed: 3, cutShort: true, rul);
        var options = Options with { Network = network };
        var model = RulModel.Create(train, options);
        model.Train(train, options.Training);

        var predicted = model.PredictAtLastCycle(test);
        var ridge = RidgeRulBaseline.Fit(train, model).PredictAtLastCycle(test);
        var capped = rul.Select(r => Math.Min(r, Options.RulCap)).ToArray();
        var mean = Enumerable.Repeat(capped.Average(), capped.Length).ToArray();

        var modelRmse = RegressionMetrics.Rmse(predicted, capped);
        var meanRmse = RegressionMetrics.Rmse(mean, capped);
        Assert.True(modelRmse < 0.7 * meanRmse, $"model {modelRmse}, mean {meanRmse}");
        Assert.True(RegressionMetrics.Rmse(ridge, capped) < meanRmse, "ridge should beat the mean too");
        Assert.All(predicted, p => Assert.True(p >= 0));
    }

    [Fact]
    public void ShortHistory_IsPaddedWithItsFirstCycle()
    {
        var train = Engines(5, seed: 4, cutShort: false);
        var model = RulModel.Create(train, Options);
        var shortEngine = new EngineRun(1, train[0].Cycles.Take(3).ToList());

        var window = model.ChannelMajorWindow(shortEngine, end: 2);

        // Sensor 0's row: cycles 0, 0, ..., 0, 1, 2 (normalised)
        var row = window.AsSpan(0, Options.Window).ToArray();
        Assert.All(row.Take(Options.Window - 2), v => Assert.Equal(row[0], v));
        Assert.Equal(3, row.Distinct().Count());
    }

    [Fact]
    public void LstmMembers_ReadTheWindowCycleByCycle()
    {
        var train = Engines(5, seed: 4, cutShort: false);
        var model = RulModel.Create(train, Options with { Network = RulNetwork.Lstm });
        var (engine, end, sensors, window) = (train[1], 20, model.Sensors.Length, Options.Window);

        var byCycle = model.NetworkWindow(engine, end);
        var bySensor = model.ChannelMajorWindow(engine, end);

        Assert.Equal(model.TimeMajorWindow(engine, end), byCycle);
        for (var t = 0; t < window; t++)
        {
            for (var s = 0; s < sensors; s++)
            {
                Assert.Equal(bySensor[(s * window) + t], byCycle[(t * sensors) + s]);
            }
        }
    }

    [Fact]
    public void Load_ReadsTheSubset_AndChecksCycleOrder()
    {
        static string Line(int unit, int cycle) =>
            string.Join(' ', new[] { unit, cycle }.Select(v => v.ToString(CultureInfo.InvariantCulture)).Concat(Enumerable.Repeat("1.5", 24))) + "  ";
        File.WriteAllLines(Path.Combine(_folder, "train_FD001.txt"), [Line(1, 1), Line(1, 2), Line(2, 1)]);
        File.WriteAllLines(Path.Combine(_folder, "test_FD001.txt"), [Line(1, 1)]);
        File.WriteAllLines(Path.Combine(_folder, "RUL_FD001.txt"), ["42"]);

        var subset = CmapssSubset.Load(_folder, "FD001");

        Assert.Equal([2, 1], subset.Train.Select(e => e.Cycles.Count));
        Assert.Equal(21, subset.Train[0].Cycles[0].Length);
        Assert.Equal([42f], subset.TestRul);

        File.WriteAllLines(Path.Combine(_folder, "train_FD001.txt"), [Line(1, 1), Line(1, 3)]);
        var ex = Assert.Throws<DataFormatException>(() => CmapssSubset.Load(_folder, "FD001"));
        Assert.Contains("train_FD001.txt:2: engine 1 cycle 3 follows cycle 1", ex.Message);
    }

    [Fact]
    public void TestLikeRmse_JudgesThePredictionAtRandomCuts_AgainstTheTrueUncappedRul_AndIsReported()
    {
        var train = Engines(10, seed: 7, cutShort: false);
        var options = Options with { RulCap = 40, Training = Options.Training with { Epochs = 2, ValidationFraction = 0.3 } };
        var model = RulModel.Create(train, options);
        var report = model.Train(train, options.Training);
        var heldOut = Engines(3, seed: 9, cutShort: false);

        var random = new Random(3);
        var (predicted, truth) = (new List<float>(), new List<float>());
        foreach (var engine in heldOut)
        {
            for (var i = 0; i < 6; i++)
            {
                var length = random.Next(31, engine.Cycles.Count);
                predicted.Add(model.Predict(model.NetworkWindow(engine, length - 1), 1)[0]);
                truth.Add(engine.Cycles.Count - length);
            }
        }

        // True RUL reaches 100 cycles and more, well above the cap of 40: judged uncapped, the error is large.
        Assert.Equal(RegressionMetrics.Rmse([.. predicted], [.. truth]), model.TestLikeRmse(heldOut, cutsPerEngine: 6, minimumHistory: 31, maximumRul: 1000, seed: 3), 1e-6);
        Assert.True(RegressionMetrics.Rmse([.. predicted], [.. truth]) > 20);
        Assert.True(double.IsNaN(model.TestLikeRmse(heldOut, minimumHistory: 500)), "no engine has that much history");
        Assert.True(report.TestLikeRmse > 0, "the held-out engines of the training data are judged too");
    }

    [Fact]
    public void Load_UnknownSubset_IsRefused()
    {
        Assert.Throws<ArgumentException>(() => CmapssSubset.Load(_folder, "FD009"));
    }

    [Fact]
    public void Ensemble_PredictsTheMeanOfItsMembers_EachTrainedFromItsOwnSeed()
    {
        var train = Engines(10, seed: 7, cutShort: false);
        var options = Options with { EnsembleSize = 3, SamePadding = true, Activation = Activation.Tanh, Training = Options.Training with { Epochs = 2 } };
        var model = RulModel.Create(train, options);
        var report = model.Train(train, options.Training);
        var test = Engines(4, seed: 8, cutShort: true);
        var windows = test.SelectMany(e => model.ChannelMajorWindow(e, e.Cycles.Count - 1)).ToArray();

        var members = model.Networks.Select(n => n.Forward(windows, test.Count).ToArray()).ToList();
        var expected = Enumerable.Range(0, test.Count).Select(i => Math.Max(0, members.Average(m => m[i]) * options.RulCap));

        Assert.Equal(3, report.Members.Count);
        Assert.NotEqual(model.Networks[0].Parameters.First().Value, model.Networks[1].Parameters.First().Value);
        Assert.All(expected.Zip(model.PredictAtLastCycle(test)), p => Assert.Equal(p.First, p.Second, 1e-3));
        Assert.True(report.ValidationRmse > 0);
    }

    [Fact]
    public void EnsembleMembers_EachStopEarlyOnTheirOwnFoldOfEngines_AndTheReportJudgesEachFoldByItsMember()
    {
        var train = Engines(9, seed: 7, cutShort: false);
        var options = Options with { EnsembleSize = 3, Training = Options.Training with { Epochs = 3 } };
        var model = RulModel.Create(train, options);
        var report = model.Train(train, options.Training);

        var (squaredError, rows) = (0.0, 0);
        for (var i = 0; i < 3; i++)
        {
            var windows = train.Skip(3 * i).Take(3)
                .SelectMany(e => Enumerable.Range(options.Window - 1, e.Cycles.Count - options.Window + 1).Select(end => (Engine: e, End: end)))
                .ToList();
            var x = windows.SelectMany(w => model.NetworkWindow(w.Engine, w.End)).ToArray();
            var y = windows.Select(w => Math.Min(options.RulCap, w.Engine.Cycles.Count - 1 - w.End) / options.RulCap).ToArray();

            // Member i validated on the engines of fold i and no others: its best validation loss is its loss there.
            Assert.Equal(report.Members[i].BestValidationLoss, Trainer.Evaluate(model.Networks[i], x, y, 0, y.Length, options.Training.BatchSize), 1e-6);
            var predicted = model.Networks[i].Forward(x, y.Length);
            squaredError += predicted.Select((p, r) => Math.Pow(Math.Max(0, p * options.RulCap) - (y[r] * options.RulCap), 2)).Sum();
            rows += y.Length;
        }

        Assert.Equal(Math.Sqrt(squaredError / rows), report.ValidationRmse, 1e-3);
        Assert.True(report.TestLikeRmse > 0, "every fold is cut and judged by its member");
    }

    [Fact]
    public void AnEnsemble_RefusesEnginesItCannotSplitIntoAFoldPerMember()
    {
        var options = Options with { EnsembleSize = 3 };
        var two = Engines(2, seed: 7, cutShort: false);
        var tooFew = Assert.Throws<ArgumentException>(() => RulModel.Create(two, options).Train(two, options.Training));
        Assert.Contains("2 engines are too few for 3 folds", tooFew.Message);

        var engines = Engines(6, seed: 7, cutShort: false);
        engines[2] = engines[2] with { Cycles = [.. engines[2].Cycles.Take(5)] };
        engines[3] = engines[3] with { Cycles = [.. engines[3].Cycles.Take(5)] };
        var noWindow = Assert.Throws<ArgumentException>(() => RulModel.Create(engines, options).Train(engines, options.Training));
        Assert.Contains("No engine of fold 2 of 3 (engines 3–4) has a full window of 10 cycles", noWindow.Message);
    }

    [Theory]
    [InlineData(1, RulNetwork.Cnn)]
    [InlineData(3, RulNetwork.Cnn)]
    [InlineData(2, RulNetwork.Lstm)]
    public void ExportedModel_PredictsFromRawWindowsLikeTheCSharpModel(int ensembleSize, RulNetwork network)
    {
        var train = Engines(10, seed: 5, cutShort: false);
        var options = Options with { Network = network, LstmLayers = 2, LstmUnits = 8, EnsembleSize = ensembleSize, SamePadding = ensembleSize > 1, Training = Options.Training with { Epochs = 3 } };
        var model = RulModel.Create(train, options);
        model.Train(train, options.Training);
        var test = Engines(6, seed: 6, cutShort: true);
        var expected = model.PredictAtLastCycle(test);
        var raw = test.SelectMany(e => Enumerable.Range(e.Cycles.Count - Options.Window, Options.Window).SelectMany(t => e.Cycles[Math.Max(0, t)])).ToArray();

        using var session = new InferenceSession(OnnxExporter.ToBytes(RulExporter.Export(model, CmapssSubset.SensorCount)));
        using var input = OrtValue.CreateTensorValueFromMemory(raw, [test.Count, Options.Window * CmapssSubset.SensorCount]);
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, [RulExporter.Input], [input], [RulExporter.Output]);
        var actual = outputs[0].GetTensorDataAsSpan<float>().ToArray();

        Assert.Equal([test.Count], outputs[0].GetTensorTypeAndShape().Shape);
        Assert.All(expected.Zip(actual), p => Assert.True(Math.Abs(p.First - p.Second) <= 1e-3, $"{p.First} vs {p.Second}"));
    }
}
