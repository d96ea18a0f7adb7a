using Confluent.Kafka;
using FleetGrains.Ingestion.Kafka;
using FleetGrains.Ingestion.Sources;

namespace FleetGrains.Ingestion.Tests.Kafka;

public class KafkaSourceOptionsTests
{
    [Fact]
    public void AnEnabledSourceWithoutBrokers_OrWithSaslHalfSet_OrTakingOverCommits_IsRefusedWithTheSetting()
    {
        var options = new SourcesOptions
        {
            Kafka = new KafkaSourceOptions
            {
                Enabled = true,
                SecurityProtocol = SecurityProtocol.SaslSsl,
                SaslPassword = "secret",
                Properties = { ["enable.auto.commit"] = "true" },
            },
        };

        var result = new SourcesOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(result.Failures, f => f.Contains("Kafka:BootstrapServers is required", StringComparison.Ordinal));
        Assert.Contains(result.Failures, f => f.Contains("Kafka:SaslMechanism goes with", StringComparison.Ordinal));
        Assert.Contains(result.Failures, f => f.Contains("Kafka:SaslUsername is required", StringComparison.Ordinal));
        Assert.Contains(result.Failures, f => f.Contains("'enable.auto.commit'", StringComparison.Ordinal));
    }

    [Fact]
    public void ADisabledSource_IsNotChecked()
    {
        var options = new SourcesOptions { Kafka = new KafkaSourceOptions { Enabled = false, BootstrapServers = null, BatchSize = 0 } };

        Assert.True(new SourcesOptionsValidator().Validate(null, options).Succeeded);
    }

    [Fact]
    public void TheConsumer_NeverCommitsByItself_AndSharesOnePartitionAtATime()
    {
        var options = new KafkaSourceOptions
        {
            Enabled = true,
            BootstrapServers = "broker:9093",
            SecurityProtocol = SecurityProtocol.SaslSsl,
            SaslMechanism = SaslMechanism.Plain,
            SaslUsername = "$ConnectionString",
            SaslPassword = "Endpoint=sb://example.servicebus.windows.net/;SharedAccessKeyName=listen;SharedAccessKey=x",
            Properties = { ["fetch.max.bytes"] = "1048576" },
        };

        var config = options.ConsumerConfig("silo-a");

        Assert.Equal((false, false), (config.EnableAutoCommit, config.EnableAutoOffsetStore));
        Assert.Equal(PartitionAssignmentStrategy.CooperativeSticky, config.PartitionAssignmentStrategy);
        Assert.Equal(("fleetgrains", "silo-a", "broker:9093"), (config.GroupId, config.ClientId, config.BootstrapServers));
        Assert.Equal("1048576", config.Get("fetch.max.bytes"));
        Assert.Empty(options.Problems());
    }
}
