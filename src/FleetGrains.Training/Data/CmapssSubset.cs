namespace FleetGrains.Training.Data;

/// <summary>One engine's run: its sensor readings per cycle, in cycle order.</summary>
public sealed record EngineRun(int Unit, List<float[]> Cycles);

/// <summary>
/// A C-MAPSS subset (Saxena et al., PHM08): <c>train_FDxxx.txt</c> engines run to failure,
/// <c>test_FDxxx.txt</c> engines cut short, and <c>RUL_FDxxx.txt</c> the true remaining life at each
/// test engine's last cycle. Columns: unit, cycle, three operational settings, 21 sensors.
/// </summary>
public sealed record CmapssSubset(string Name, IReadOnlyList<EngineRun> Train, IReadOnlyList<EngineRun> Test, float[] TestRul)
{
    public const int SensorCount = 21;
    private const int FirstSensorColumn = 5;

    public static CmapssSubset Load(string dataDirectory, string subset)
    {
        if (subset is not ("FD001" or "FD002" or "FD003" or "FD004"))
        {
            throw new ArgumentException($"'{subset}' is not a C-MAPSS subset (FD001 to FD004).", nameof(subset));
        }

        var train = Engines(Path.Combine(dataDirectory, $"train_{subset}.txt"));
        var test = Engines(Path.Combine(dataDirectory, $"test_{subset}.txt"));
        var rulPath = Path.Combine(dataDirectory, $"RUL_{subset}.txt");
        var rul = NumericTable.Read(rulPath, null, header: false).Rows.Select(r => r[0]).ToArray();
        if (rul.Length != test.Count)
        {
            throw new DataFormatException($"{rulPath}: {rul.Length} values for {test.Count} test engines.");
        }

        return new CmapssSubset(subset, train, test, rul);
    }

    private static List<EngineRun> Engines(string path)
    {
        var table = NumericTable.Read(path, null, header: false);
        if (table.Rows[0].Length != FirstSensorColumn + SensorCount)
        {
            throw new DataFormatException($"{path}:1: expected {FirstSensorColumn + SensorCount} columns (unit, cycle, 3 settings, 21 sensors), found {table.Rows[0].Length}.");
        }

        var engines = new List<EngineRun>();
        for (var i = 0; i < table.Rows.Count; i++)
        {
            var row = table.Rows[i];
            var unit = (int)row[0];
            if (engines.Count == 0 || engines[^1].Unit != unit)
            {
                if (engines.Any(e => e.Unit == unit))
                {
                    throw new DataFormatException($"{path}:{i + 1}: engine {unit} appears again after other engines.");
                }

                engines.Add(new EngineRun(unit, []));
            }
            else if ((int)row[1] != engines[^1].Cycles.Count + 1)
            {
                throw new DataFormatException($"{path}:{i + 1}: engine {unit} cycle {(int)row[1]} follows cycle {engines[^1].Cycles.Count}.");
            }

            engines[^1].Cycles.Add(row[FirstSensorColumn..]);
        }

        return engines;
    }
}
