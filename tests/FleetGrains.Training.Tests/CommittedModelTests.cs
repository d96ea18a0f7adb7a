using System.Text.Json;
using Microsoft.ML.OnnxRuntime;

namespace FleetGrains.Training.Tests;

/// <summary>The ONNX files in models/ load in ONNX Runtime and have the inputs and outputs their cards promise.</summary>
public class CommittedModelTests
{
    public static TheoryData<string> Cards()
    {
        var data = new TheoryData<string>();
        foreach (var card in Directory.EnumerateFiles(ModelsFolder(), "*.json").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(card));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cards))]
    public void Model_MatchesItsCard_AndAnswersABatch(string cardFile)
    {
        using var card = JsonDocument.Parse(File.ReadAllText(Path.Combine(ModelsFolder(), cardFile)));
        var root = card.RootElement;
        using var session = new InferenceSession(Path.Combine(ModelsFolder(), root.GetProperty("onnxFile").GetString()!));
        var window = root.GetProperty("window").GetInt32();
        var features = root.GetProperty("features").GetInt32();

        var inputs = root.GetProperty("inputs").EnumerateArray().Select(i => i.GetProperty("name").GetString()).ToList();
        var outputs = root.GetProperty("outputs").EnumerateArray().Select(o => o.GetProperty("name").GetString()).ToList();
        Assert.Equal(inputs, session.InputMetadata.Keys);
        Assert.Equal(outputs, session.OutputMetadata.Keys);
        Assert.Equal([-1, window * features], session.InputMetadata[inputs[0]!].Dimensions);

        // Two windows of the training means: ordinary readings give a finite, non-negative answer.
        var mean = root.GetProperty("normalisationMean").EnumerateArray().Select(v => v.GetSingle()).ToArray();
        var row = root.TryGetProperty("sensorsUsed", out var sensors)
            ? ExpandToAllSensors(mean, sensors.EnumerateArray().Select(s => s.GetInt32()).ToArray(), features)
            : mean;
        var batch = Enumerable.Repeat(row, 2 * window).SelectMany(r => r).ToArray();
        using var tensor = OrtValue.CreateTensorValueFromMemory(batch, [2, window * features]);
        using var runOptions = new RunOptions();
        using var results = session.Run(runOptions, [inputs[0]!], [tensor], [outputs[0]!]);
        Assert.All(results[0].GetTensorDataAsSpan<float>().ToArray(), v => Assert.True(float.IsFinite(v) && v >= 0, $"{v}"));
    }

    private static float[] ExpandToAllSensors(float[] mean, int[] sensors, int features)
    {
        var row = new float[features];
        for (var i = 0; i < sensors.Length; i++)
        {
            row[sensors[i]] = mean[i];
        }

        return row;
    }

    private static string ModelsFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "FleetGrains.sln")))
            {
                return Path.Combine(dir.FullName, "models");
            }
        }

        throw new DirectoryNotFoundException("No FleetGrains.sln above the test binaries.");
    }
}
