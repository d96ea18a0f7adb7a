namespace FleetGrains.LoadTests;

/// <summary>How the tables mark a target of issue 6 against what was measured.</summary>
public static class Targets
{
    public static string Verdict(bool met) => met ? "met" : "missed";
}
