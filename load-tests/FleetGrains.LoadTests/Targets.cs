using System.Text;

namespace FleetGrains.LoadTests;

/// <summary>How the tables mark a target of issue 6 against what was measured.</summary>
public static class Targets
{
    public static string Verdict(bool met) => met ? "met" : "missed";

    /// <summary>Starts a scenario's table of targets (after a blank line): target, measured, verdict.</summary>
    public static void AppendHeader(StringBuilder table)
    {
        table.AppendLine();
        table.AppendLine("| target | measured | |");
        table.AppendLine("|---|---|---|");
    }
}
