using FleetGrains.Ingestion.Mqtt;
using FleetGrains.Ingestion.Sources;

namespace FleetGrains.Ingestion.Tests;

public class MqttPartitionFiltersTests
{
    [Fact]
    public void DisjointFilters_OfTheTelemetryShape_AreValid()
    {
        Assert.Empty(MqttPartitionFilters.Problems(["fleets/a/devices/+/telemetry", "fleets/b/devices/+/telemetry", "fleets/c/devices/d1/telemetry"]));
        Assert.Empty(MqttPartitionFilters.Problems(new MqttSourceOptions().PartitionFilters));
    }

    [Theory]
    [InlineData("fleets/#", "is not fleets/")]
    [InlineData("fleets/a/devices/+", "is not fleets/")]
    [InlineData("$share/g/fleets/a/devices/+/telemetry", "is not fleets/")]
    [InlineData("fleets/a b/devices/+/telemetry", "is not fleets/")]
    public void FiltersOfAnotherShape_AreRefused(string filter, string problem)
    {
        Assert.Contains(problem, Assert.Single(MqttPartitionFilters.Problems([filter])));
    }

    [Theory]
    [InlineData("fleets/+/devices/+/telemetry", "fleets/a/devices/+/telemetry")]
    [InlineData("fleets/a/devices/+/telemetry", "fleets/a/devices/d1/telemetry")]
    [InlineData("fleets/a/devices/d1/telemetry", "fleets/+/devices/d1/telemetry")]
    [InlineData("fleets/a/devices/+/telemetry", "fleets/a/devices/+/telemetry")]
    public void OverlappingFilters_AreRefused_ADevicesMessagesWouldReachTwoReaders(string first, string second)
    {
        Assert.Contains("must not overlap", Assert.Single(MqttPartitionFilters.Problems([first, second])));
    }

    [Fact]
    public void TheSourcesOptions_ReportAFilterProblem_UnderTheirKey()
    {
        var options = new SourcesOptions { Mqtt = { Partitions = ["fleets/+/devices/+/telemetry", "fleets/a/devices/+/telemetry"] } };

        var result = new SourcesOptionsValidator().Validate(null, options);

        Assert.Contains(result.Failures!, f => f.StartsWith("Fleet:Sources:Mqtt:Partitions: ", StringComparison.Ordinal));
    }
}
