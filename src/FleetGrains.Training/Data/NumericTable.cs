using System.Globalization;

namespace FleetGrains.Training.Data;

/// <summary>A rectangular table of numbers read from a delimited text file, with its column names if it had a header.</summary>
public sealed record NumericTable(IReadOnlyList<string> Columns, List<float[]> Rows)
{
    /// <summary>
    /// Reads <paramref name="path"/>. Every row must have as many cells as the first; every cell must be
    /// a number (invariant culture). A null <paramref name="delimiter"/> splits on runs of white space.
    /// </summary>
    public static NumericTable Read(string path, char? delimiter, bool header)
    {
        if (!File.Exists(path))
        {
            throw new DataFormatException($"{path}: file not found.");
        }

        var rows = new List<float[]>();
        IReadOnlyList<string> columns = [];
        var lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            var cells = delimiter is { } d ? line.Split(d) : line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (header && columns.Count == 0)
            {
                columns = [.. cells.Select(c => c.Trim())];
                continue;
            }

            var width = columns.Count > 0 ? columns.Count : rows.Count > 0 ? rows[0].Length : cells.Length;
            if (cells.Length != width)
            {
                throw new DataFormatException($"{path}:{lineNumber}: expected {width} values, found {cells.Length}.");
            }

            var row = new float[cells.Length];
            for (var c = 0; c < cells.Length; c++)
            {
                if (!float.TryParse(cells[c].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out row[c]) || !float.IsFinite(row[c]))
                {
                    throw new DataFormatException($"{path}:{lineNumber}: column {c + 1} ('{cells[c].Trim()}') is not a finite number.");
                }
            }

            rows.Add(row);
        }

        if (rows.Count == 0)
        {
            throw new DataFormatException($"{path}: no data rows.");
        }

        return new NumericTable(columns, rows);
    }
}
