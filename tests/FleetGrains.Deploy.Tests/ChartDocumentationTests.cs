using System.Text.RegularExpressions;

namespace FleetGrains.Deploy.Tests;

/// <summary>values.yaml is documented key by key (helm-docs <c># --</c> comments), and the chart's README lists every documented key.</summary>
public partial class ChartDocumentationTests
{
    [Fact]
    public void EveryValue_IsDocumented_AndListedInTheChartsReadme()
    {
        var keys = DocumentedKeys(File.ReadAllLines(Path.Combine(Helm.Chart, "values.yaml")));
        var readme = File.ReadAllText(Path.Combine(Helm.Chart, "README.md"));

        var undocumented = keys.Where(k => k.Leaf && !k.Commented).Select(k => k.Path).ToList();
        var unlisted = keys.Where(k => k.Commented && !readme.Contains($"| `{k.Path}` |", StringComparison.Ordinal)).Select(k => k.Path).ToList();

        Assert.True(keys.Count > 50, $"only {keys.Count} keys read from values.yaml");
        Assert.True(undocumented.Count == 0, $"values without a '# --' comment on them or a parent: {string.Join(", ", undocumented)}");
        Assert.True(unlisted.Count == 0, $"documented values missing from the chart README: {string.Join(", ", unlisted)}");
    }

    // Every key of values.yaml by its dotted path: whether it carries a "# --" comment, and whether it is a leaf (a
    // value, not a map of documented keys). Keys inside a commented map (resources, node selectors) are its
    // content, covered by its comment, and not listed.
    private static List<(string Path, bool Commented, bool Leaf)> DocumentedKeys(string[] lines)
    {
        var keys = new List<(string, bool, bool)>();
        var path = new List<(string Key, bool Commented)>();
        var commented = false;
        foreach (var line in lines)
        {
            if (DocComment().IsMatch(line))
            {
                commented = true;
                continue;
            }

            if (Key().Match(line) is not { Success: true } key)
            {
                continue;
            }

            var depth = key.Groups["indent"].Length / 2;
            if (depth > path.Count)
            {
                continue; // inside a list item
            }

            path = path[..depth];
            var insideCommentedMap = path.Any(p => p.Commented);
            path.Add((key.Groups["key"].Value, commented));
            if (!insideCommentedMap)
            {
                keys.Add((string.Join('.', path.Select(p => p.Key)), commented, key.Groups["value"].Value.Trim().Length > 0));
            }

            commented = false;
        }

        return keys;
    }

    [GeneratedRegex(@"^\s*# -- ")]
    private static partial Regex DocComment();

    [GeneratedRegex(@"^(?<indent>\s*)(?<key>[A-Za-z][A-Za-z0-9.\-/]*):(?<value>.*)$")]
    private static partial Regex Key();
}
