using System.Globalization;

namespace FleetGrains.Training.Data;

/// <summary>
/// A delimited text file with a header row, kept as text so that only the columns a command uses must
/// be numbers (a timestamp or name column may sit beside them).
/// </summary>
public sealed class DelimitedFile
{
    private DelimitedFile(string path, string[] header, List<(int Line, string[] Cells)> rows)
    {
        Path = path;
        Header = header;
        Rows = rows;
    }

    public string Path { get; }

    public string[] Header { get; }

    public List<(int Line, string[] Cells)> Rows { get; }

    public static DelimitedFile Read(string path, char delimiter)
    {
        if (!File.Exists(path))
        {
            throw new DataFormatException($"{path}: file not found.");
        }

        string[]? header = null;
        var rows = new List<(int, string[])>();
        var lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            var cells = line.Split(delimiter).Select(c => c.Trim().Trim('"')).ToArray();
            if (header is null)
            {
                header = cells;
                continue;
            }

            if (cells.Length != header.Length)
            {
                throw new DataFormatException($"{path}:{lineNumber}: expected {header.Length} values (as in the header), found {cells.Length}.");
            }

            rows.Add((lineNumber, cells));
        }

        return header is null
            ? throw new DataFormatException($"{path}: empty file (a header row is needed).")
            : new DelimitedFile(path, header, rows);
    }

    /// <summary>The index of a column given by its header name or its 0-based index.</summary>
    public int Column(string nameOrIndex)
    {
        var byName = Array.IndexOf(Header, nameOrIndex);
        if (byName >= 0)
        {
            return byName;
        }

        return int.TryParse(nameOrIndex, NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < Header.Length
            ? index
            : throw new DataFormatException($"{Path}: no column '{nameOrIndex}' (columns: {string.Join(", ", Header)}).");
    }

    /// <summary>The given columns of every row as numbers, or an error naming the file, line and column.</summary>
    public List<float[]> Numbers(IReadOnlyList<int> columns) =>
        [.. Rows.Select(row => columns.Select(c => Number(row.Line, row.Cells[c], c)).ToArray())];

    private float Number(int line, string cell, int column) =>
        float.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && float.IsFinite(value)
            ? value
            : throw new DataFormatException($"{Path}:{line}: column '{Header[column]}' ('{cell}') is not a finite number.");
}
