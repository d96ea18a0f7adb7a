using FleetGrains.Training.Data;
using FleetGrains.Training.Evaluation;
using FleetGrains.Training.Models;
using FleetGrains.Training.Onnx;
using FleetGrains.Training.Onnx.Proto;
using FleetGrains.Simulation;

namespace FleetGrains.Cli;

/// <summary>
/// <c>fleetctl train autoencoder|forecaster|rul</c>: trains a model on a benchmark's training split (or, for
/// <c>rul --simulated</c>, on run-to-failure histories of the built-in simulator), measures it on the test
/// split, and writes the ONNX file with its model card (JSON and Markdown).
/// </summary>
public static class TrainCommand
{
    public static Task<int> RunAsync(string[] args, CommandLine line, TextWriter output, TextWriter error) =>
        LocalCommand.RunAsync(error, async () =>
        {
            line.ExpectArguments(1, "train autoencoder|forecaster|rul --data <dir> ... --out <path>");
            var outPath = line.Option("out") ?? throw new ArgumentException($"train {line.Arguments[0]} needs --out <path> (without extension).");
            var command = "fleetctl " + string.Join(' ', args);
            var (model, card) = line.Arguments[0] switch
            {
                "autoencoder" => AnomalyModel(line, WindowModelKind.Autoencoder, Data(line), outPath, command),
                "forecaster" => AnomalyModel(line, WindowModelKind.Lstm, Data(line), outPath, command),
                "rul" when line.Option("simulated") is { } fleet => SimulatedRul(line, fleet, outPath, command),
                "rul" => Rul(line, Data(line), outPath, command),
                var other => throw new ArgumentException($"unknown model kind '{other}'; use autoencoder, forecaster or rul."),
            };

            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(outPath))!);
            await File.WriteAllBytesAsync($"{outPath}.onnx", OnnxExporter.ToBytes(model));
            await File.WriteAllTextAsync($"{outPath}.json", card.ToJson());
            await File.WriteAllTextAsync($"{outPath}.md", card.ToMarkdown());
            await output.WriteLineAsync($"wrote {outPath}.onnx, {outPath}.json, {outPath}.md ({card.Epochs} epochs, {card.TrainingSeconds:F0} s)");
            foreach (var (metric, value) in card.Quality)
            {
                await output.WriteLineAsync($"  {metric}: {value:0.000}");
            }

            return 0;
        });

    private static string Data(CommandLine line) =>
        line.Option("data") ?? throw new ArgumentException($"train {line.Arguments[0]} needs --data <dir>.");

    /// <summary>An SMD machine's anomaly model: the window autoencoder or the LSTM forecaster (<c>--epochs</c>, <c>--window</c> as for eval).</summary>
    private static (ModelProto Model, ModelCard Card) AnomalyModel(CommandLine line, WindowModelKind kind, string data, string outPath, string command)
    {
        var verb = line.Arguments[0];
        var machineName = line.Option("machines") ?? throw new ArgumentException($"train {verb} needs --machines <name> (one SMD machine).");
        var options = ModelArguments.Smd(line, kind);
        var (result, trained) = SmdEvaluation.EvaluateAndKeep(SmdMachine.Load(data, machineName), options);
        var name = Path.GetFileName(outPath);
        var metadata = new Dictionary<string, string> { ["fleetgrains.name"] = name };
        var (onnx, modelKind, outputs) = trained switch
        {
            WindowAutoencoder autoencoder => (AutoencoderExporter.Export(autoencoder, metadata), "window-autoencoder", new[]
            {
                new TensorSpec(AutoencoderExporter.Score, "[batch]", "mean squared reconstruction error of the newest sample"),
                new TensorSpec(AutoencoderExporter.FeatureErrors, $"[batch, {trained.Features}]", "the newest sample's squared error per feature"),
                new TensorSpec(AutoencoderExporter.Reconstruction, $"[batch, {trained.Window * trained.Features}]", "the reconstructed window, normalised"),
            }),
            WindowForecaster forecaster => (ForecasterExporter.Export(forecaster, metadata), "window-forecaster", new[]
            {
                new TensorSpec(ForecasterExporter.Score, "[batch]", "mean squared error of the prediction of the newest sample"),
                new TensorSpec(ForecasterExporter.FeatureErrors, $"[batch, {trained.Features}]", "that prediction's squared error per feature"),
                new TensorSpec(ForecasterExporter.Prediction, $"[batch, {trained.Features}]", "the predicted newest sample, normalised"),
            }),
            _ => throw new NotSupportedException($"{trained.GetType().Name} has no ONNX export."),
        };
        var card = new ModelCard(
            name,
            modelKind,
            $"{name}.onnx",
            [new TensorSpec(AutoencoderExporter.Input, $"[batch, {trained.Window * trained.Features}]", $"{trained.Window} samples × {trained.Features} raw readings, oldest first")],
            outputs,
            trained.Window,
            trained.Features,
            null,
            trained.Normaliser.Mean,
            trained.Normaliser.Std,
            null,
            $"SMD {machineName}, train/ ({result.TrainRows} rows); quality on test/ ({result.TestRows} rows, {result.Anomalies} anomalous)",
            command,
            options.Model.Training.Seed,
            result.Epochs,
            result.TrainingSeconds,
            new Dictionary<string, double>
            {
                ["threshold (a device's alarm policy calibrated on the train scores)"] = result.Model.Threshold,
                ["point-wise precision"] = result.Model.PointWise.Precision,
                ["point-wise recall"] = result.Model.PointWise.Recall,
                ["point-wise F1"] = result.Model.F1,
                ["point-adjusted F1"] = result.Model.AdjustedF1,
                ["best point-wise F1 (reference)"] = result.Model.BestF1,
                ["PCA baseline best point-wise F1 (reference)"] = result.Pca.BestF1,
            });
        return (onnx, card);
    }

    private static (ModelProto Model, ModelCard Card) Rul(CommandLine line, string data, string outPath, string command)
    {
        var subsetName = line.Option("subset") ?? throw new ArgumentException("train rul needs --subset FD001|FD003.");
        var options = ModelArguments.Cmapss(line);
        var (result, model) = CmapssEvaluation.EvaluateAndKeep(CmapssSubset.Load(data, subsetName), options, ModelArguments.CmapssAlsoTrainOn(line, data, subsetName));
        var name = Path.GetFileName(outPath);
        var onnx = RulExporter.Export(model, CmapssSubset.SensorCount, new Dictionary<string, string> { ["fleetgrains.name"] = name });
        var card = new ModelCard(
            name,
            "rul",
            $"{name}.onnx",
            [new TensorSpec(RulExporter.Input, $"[batch, {model.Window * CmapssSubset.SensorCount}]", $"{model.Window} cycles × {CmapssSubset.SensorCount} raw sensor readings, oldest first")],
            [new TensorSpec(RulExporter.Output, "[batch]", $"remaining useful life in cycles (trained on targets capped at {model.Cap:0})")],
            model.Window,
            CmapssSubset.SensorCount,
            model.Sensors,
            model.Normaliser.Mean,
            model.Normaliser.Std,
            model.Cap,
            $"C-MAPSS {subsetName}: {string.Join(" + ", result.TrainedOn.Select(s => $"train_{s}"))} ({result.TrainEngines} engines run to failure); quality on test_{subsetName} / RUL_{subsetName} ({result.TestEngines} engines)",
            command,
            options.Training.Seed,
            result.Epochs,
            result.TrainingSeconds,
            new Dictionary<string, double>
            {
                ["RMSE"] = result.Model.Rmse,
                ["PHM08 score"] = result.Model.PhmScore,
                ["validation RMSE (training engines held out from the network judging them)"] = result.ValidationRmse,
                ["test-like RMSE (the same engines cut at random cycles)"] = result.TestLikeRmse,
                ["ridge baseline RMSE"] = result.Ridge.Rmse,
                ["ridge baseline PHM08 score"] = result.Ridge.PhmScore,
            });
        return (onnx, card);
    }

    /// <summary>The RUL model of a simulated fleet, in samples at the simulator's default rate (10 per second).</summary>
    private static (ModelProto Model, ModelCard Card) SimulatedRul(CommandLine line, string fleet, string outPath, string command)
    {
        var parts = fleet.Split(':');
        if (parts.Length != 2 || !int.TryParse(parts[1], System.Globalization.CultureInfo.InvariantCulture, out var features) || features < 1)
        {
            throw new ArgumentException($"--simulated takes <fleetId>:<features> as in Fleet:Simulator:Fleets, e.g. turbines:8; got '{fleet}'.");
        }

        var runs = line.PositiveInt("runs") ?? 40;
        const float Horizon = 30 * SimulatedHistories.SamplesPerSecond;
        var options = SimulatedRulOptions;
        var train = SimulatedHistories.RunsToFailure(parts[0], features, runs, seed: options.Training.Seed);
        var test = SimulatedHistories.RunsToFailure(parts[0], features, Math.Max(2, runs / 4), seed: options.Training.Seed + 1_000_000);
        var (result, model) = RunToFailureEvaluation.EvaluateAndKeep(train, test, options, Horizon);
        var name = Path.GetFileName(outPath);
        var onnx = RulExporter.Export(model, features, new Dictionary<string, string> { ["fleetgrains.name"] = name });
        var perSecond = (double)SimulatedHistories.SamplesPerSecond;
        var card = new ModelCard(
            name,
            "rul",
            $"{name}.onnx",
            [new TensorSpec(RulExporter.Input, $"[batch, {model.Window * features}]", $"{model.Window} samples × {features} raw readings, oldest first")],
            [new TensorSpec(RulExporter.Output, "[batch]", $"remaining useful life in samples at {SimulatedHistories.SamplesPerSecond} per second (trained on targets capped at {model.Cap:0})")],
            model.Window,
            features,
            model.Sensors,
            model.Normaliser.Mean,
            model.Normaliser.Std,
            model.Cap,
            $"the built-in simulator's fleet '{parts[0]}' ({features} sensors): {result.TrainRuns} devices degrading to failure (seed {options.Training.Seed}); quality on {result.TestRuns} other such devices, at every window",
            command,
            options.Training.Seed,
            result.Epochs,
            result.TrainingSeconds,
            new Dictionary<string, double>
            {
                ["RMSE (samples, capped target)"] = result.Rmse,
                ["validation RMSE (held-out training windows)"] = result.ValidationRmse,
                [$"mean lead: seconds before failure the prediction first reached {Horizon / perSecond:0} s"] = result.MeanLead / perSecond,
                ["shortest lead (seconds)"] = result.MinLead / perSecond,
                ["test devices never predicted within the horizon"] = result.Missed,
                ["test devices predicted within the horizon while more than twice it from failure"] = result.EarlyAlarms,
            });
        return (onnx, card);
    }

    /// <summary>Small and fast: a simulated fleet's degradation is a smooth drift on three sensors.</summary>
    private static readonly RulOptions SimulatedRulOptions = new()
    {
        Window = 50,
        RulCap = 600,
        ConvolutionLayers = 2,
        Filters = 8,
        Kernel = 5,
        Hidden = 32,
        EnsembleSize = 1,
        Training = new() { Epochs = 20, BatchSize = 64, LearningRate = 1e-3f, WeightDecay = 1e-2f, InputNoise = 0.1f, Patience = 4, ValidationFraction = 0.2 },
    };
}
