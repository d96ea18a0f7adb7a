namespace FleetGrains.Cli.Through;

/// <summary>
/// How the scores the system returned compare with the offline ones of the same rows: how many rows both
/// scored, how many the offline model scored that the system did not (its scoring cadence, or a failure),
/// the largest differences, and the rows outside <see cref="Tolerance"/>.
/// </summary>
public sealed record ScoreAgreement(int Compared, int MissingInSystem, double MaxAbsoluteDifference, double MaxRelativeDifference, IReadOnlyList<int> Disagreeing)
{
    /// <summary>Scores agree when |system − offline| ≤ 1e-5 · max(1, |offline|): absolute near zero, relative for large values.</summary>
    public const double Tolerance = 1e-5;

    public bool Agrees => Compared > 0 && Disagreeing.Count == 0;

    /// <summary>Compares <paramref name="system"/> (by row; NaN = not scored) with <paramref name="offline"/> (NaN = no full window).</summary>
    public static ScoreAgreement Compare(IReadOnlyList<float> system, IReadOnlyList<float> offline)
    {
        var compared = 0;
        var missing = 0;
        double maxAbsolute = 0, maxRelative = 0;
        var disagreeing = new List<int>();
        for (var row = 0; row < offline.Count; row++)
        {
            if (float.IsNaN(offline[row]))
            {
                continue;
            }

            if (float.IsNaN(system[row]))
            {
                missing++;
                continue;
            }

            compared++;
            var difference = Math.Abs((double)system[row] - offline[row]);
            maxAbsolute = Math.Max(maxAbsolute, difference);
            maxRelative = Math.Max(maxRelative, difference / Math.Max(Math.Abs((double)offline[row]), float.Epsilon));
            if (difference > Tolerance * Math.Max(1, Math.Abs((double)offline[row])))
            {
                disagreeing.Add(row);
            }
        }

        return new ScoreAgreement(compared, missing, maxAbsolute, maxRelative, disagreeing);
    }

    public string Describe() =>
        FormattableString.Invariant(
            $"{Compared} rows compared: max |system − offline| {MaxAbsoluteDifference:0.##e-0} (relative {MaxRelativeDifference:0.##e-0}); {Disagreeing.Count} outside {Tolerance:0e-0}") +
        (MissingInSystem > 0 ? FormattableString.Invariant($"; {MissingInSystem} rows the offline model scored have no system score") : "");
}
