using FleetGrains.Training.Data;

namespace FleetGrains.Cli;

/// <summary>The CSV a replay reads: the file, its feature columns and an optional label column.</summary>
public sealed record ReplayInput(DelimitedFile File, IReadOnlyList<int> Columns, int? Label)
{
    public static ReplayInput Read(CommandLine line, string path)
    {
        var delimiter = line.Option("delimiter") switch
        {
            null => ',',
            "tab" or "\\t" => '\t',
            { Length: 1 } d => d[0],
            var d => throw new ArgumentException($"--delimiter must be one character (or 'tab'), got '{d}'."),
        };
        var file = DelimitedFile.Read(path, delimiter);
        int? label = line.Option("label") is { } l ? file.Column(l) : null;
        var columns = line.Option("columns") is { } list
            ? list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(file.Column).ToArray()
            : [.. Enumerable.Range(0, file.Header.Length).Where(c => c != label)];
        return new ReplayInput(file, columns, label);
    }

    public string ColumnNames => string.Join(", ", Columns.Select(c => File.Header[c]));

    public string? LabelOf(int row) => Label is { } c ? File.Rows[row].Cells[c] : null;
}
