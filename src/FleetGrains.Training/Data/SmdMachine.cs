namespace FleetGrains.Training.Data;

/// <summary>
/// One machine of the Server Machine Dataset (Su et al., KDD 2019): <c>train/</c> and <c>test/</c>
/// are headerless CSV with 38 metrics per row, <c>test_label/</c> one 0/1 per test row.
/// </summary>
public sealed record SmdMachine(string Name, List<float[]> Train, List<float[]> Test, bool[] Labels)
{
    /// <summary>The machines under <paramref name="dataDirectory"/> that have train, test and label files.</summary>
    public static IReadOnlyList<string> Available(string dataDirectory)
    {
        var train = Path.Combine(dataDirectory, "train");
        if (!Directory.Exists(train))
        {
            throw new DataFormatException($"{dataDirectory}: not an SMD folder (no train/ inside).");
        }

        return [.. Directory.EnumerateFiles(train, "*.txt")
            .Select(Path.GetFileNameWithoutExtension)
            .Where(name => File.Exists(Path.Combine(dataDirectory, "test", $"{name}.txt")) && File.Exists(Path.Combine(dataDirectory, "test_label", $"{name}.txt")))
            .Order(StringComparer.Ordinal)!];
    }

    public static SmdMachine Load(string dataDirectory, string name)
    {
        var train = NumericTable.Read(Path.Combine(dataDirectory, "train", $"{name}.txt"), ',', header: false).Rows;
        var test = NumericTable.Read(Path.Combine(dataDirectory, "test", $"{name}.txt"), ',', header: false).Rows;
        var labelPath = Path.Combine(dataDirectory, "test_label", $"{name}.txt");
        var labels = NumericTable.Read(labelPath, null, header: false).Rows.Select(r => r[0] != 0).ToArray();
        if (labels.Length != test.Count)
        {
            throw new DataFormatException($"{labelPath}: {labels.Length} labels for {test.Count} test rows.");
        }

        if (train[0].Length != test[0].Length)
        {
            throw new DataFormatException($"{name}: train has {train[0].Length} columns, test {test[0].Length}.");
        }

        return new SmdMachine(name, train, test, labels);
    }
}
