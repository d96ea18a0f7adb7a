using FleetGrains.Training.Data;

namespace FleetGrains.Training.Tests;

public sealed class DataTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("fleetgrains-data-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_folder, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void Read_HeaderAndRows()
    {
        var table = NumericTable.Read(Write("a.csv", "x,y\n1,2.5\n-3,4e2\n"), ',', header: true);

        Assert.Equal(["x", "y"], table.Columns);
        Assert.Equal([[1f, 2.5f], [-3f, 400f]], table.Rows);
    }

    [Fact]
    public void Read_WhitespaceSeparated_IgnoresRepeatedSpaces()
    {
        var table = NumericTable.Read(Write("b.txt", "1 2  3  \n4 5 6  \n"), null, header: false);

        Assert.Equal([[1f, 2f, 3f], [4f, 5f, 6f]], table.Rows);
    }

    [Theory]
    [InlineData("1,2\n3\n", ":2: expected 2 values, found 1")]
    [InlineData("1,2\n3,abc\n", ":2: column 2 ('abc') is not a finite number")]
    [InlineData("1,NaN\n", ":1: column 2 ('NaN') is not a finite number")]
    [InlineData("\n\n", ": no data rows")]
    public void Read_BadFile_NamesTheFileAndLine(string text, string message)
    {
        var path = Write("bad.csv", text);

        var ex = Assert.Throws<DataFormatException>(() => NumericTable.Read(path, ',', header: false));

        Assert.Equal(path + message, ex.Message.TrimEnd('.'));
    }

    [Fact]
    public void Read_MissingFile_SaysSo()
    {
        var ex = Assert.Throws<DataFormatException>(() => NumericTable.Read(Path.Combine(_folder, "nope.csv"), ',', header: false));

        Assert.EndsWith("nope.csv: file not found.", ex.Message);
    }

    [Fact]
    public void Smd_LoadsMachinesWithAllThreeFiles()
    {
        Write("train/m-1.txt", "0.1,0.2\n0.3,0.4\n");
        Write("test/m-1.txt", "0.1,0.2\n0.9,0.9\n0.3,0.4\n");
        Write("test_label/m-1.txt", "0\n1\n0\n");
        Write("train/m-2.txt", "0.1,0.2\n");

        var machines = SmdMachine.Available(_folder);
        var machine = SmdMachine.Load(_folder, "m-1");

        Assert.Equal(["m-1"], machines);
        Assert.Equal(2, machine.Train.Count);
        Assert.Equal([false, true, false], machine.Labels);
    }

    [Fact]
    public void Smd_LabelCountMismatch_IsAnError()
    {
        Write("train/m-1.txt", "0.1\n");
        Write("test/m-1.txt", "0.1\n0.2\n");
        Write("test_label/m-1.txt", "0\n");

        var ex = Assert.Throws<DataFormatException>(() => SmdMachine.Load(_folder, "m-1"));

        Assert.Contains("1 labels for 2 test rows", ex.Message);
    }

    [Fact]
    public void EngineMix_InterleavesTheSetsByPosition_SoEveryFoldHoldsBoth()
    {
        static List<EngineRun> Engines(int first, int count) => [.. Enumerable.Range(first, count).Select(u => new EngineRun(u, [[u]]))];

        var mixed = EngineMix.Interleave([Engines(1, 4), Engines(101, 2)]);

        Assert.Equal([1, 101, 2, 3, 102, 4], mixed.Select(e => e.Unit));
        Assert.All(mixed.Chunk(3), fold => Assert.Contains(fold, e => e.Unit > 100));
    }
}
