namespace FleetGrains.LoadTests;

/// <summary>One scenario of the suite: what it is called, the options it takes, and how it runs.</summary>
public interface ILoadScenario
{
    string Name { get; }

    /// <summary>The usage lines of this scenario: its options, then what it measures.</summary>
    string Usage { get; }

    /// <summary>The options (without <c>--</c>) that take a value.</summary>
    IReadOnlyCollection<string> Options { get; }

    Task<ScenarioReport> RunAsync(ScenarioArguments arguments, TextWriter progress);
}

/// <summary>What a scenario measured: a Markdown table for people, an object for the JSON file, and its charts.</summary>
public sealed record ScenarioReport(string Table, object Figures, IReadOnlyList<SvgLineChart> Charts);
