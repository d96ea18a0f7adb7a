namespace FleetGrains.Deploy.Tests;

/// <summary><c>helm lint --strict</c> over the chart's test matrix, and the strict values schema refusing a typo.</summary>
public class ChartLintTests
{
    [Theory]
    [MemberData(nameof(Helm.ValuesFiles), MemberType = typeof(Helm))]
    public void TheChart_LintsStrictly(string valuesFile)
    {
        var (exitCode, output) = Helm.Run("lint", "--strict", Helm.Chart, "-f", Path.Combine(Helm.Chart, "ci", valuesFile));

        Assert.True(exitCode == 0, $"helm lint --strict with {valuesFile} failed:\n{output}");
    }

    [Theory]
    [InlineData("core:\n  replica: 3\n", "core: Additional property replica is not allowed")]
    [InlineData("redis:\n  bundled:\n    enabled: true\n    storage: 8Gi\n", "Additional property storage is not allowed")]
    [InlineData("models:\n  executionProvider: Gpu\n", "models.executionProvider")]
    [InlineData("sources:\n  mqtt:\n    partitions: [\"fleets/#\"]\n", "sources.mqtt.partitions.0")]
    public void AValuesFileWithATypoOrABadValue_FailsLint_NamingIt(string values, string problem)
    {
        var file = Path.Combine(Path.GetTempPath(), $"fleet-values-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(file, values);
        try
        {
            var (exitCode, output) = Helm.Run("lint", "--strict", Helm.Chart, "-f", file);

            Assert.NotEqual(0, exitCode);
            Assert.Contains(problem, output);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void ContradictoryRedisValues_FailToRender_WithTheReason()
    {
        var (exitCode, output) = Helm.Run("template", "fleet", Helm.Chart, "--set", "redis.external.existingSecret=mine");

        Assert.NotEqual(0, exitCode);
        Assert.Contains("set either bundled.enabled or external.existingSecret, not both", output);
    }
}
