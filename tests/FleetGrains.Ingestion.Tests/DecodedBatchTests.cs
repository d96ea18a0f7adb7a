namespace FleetGrains.Ingestion.Tests;

public class DecodedBatchTests
{
    [Fact]
    public void ABatchDisposedTwice_GivesItsEventListBackOnce_AndEveryNewBatchStartsEmpty()
    {
        var disposed = new DecodedBatch();
        disposed.Events.Add((0, new TelemetryEvent("f", "d", 1, 1, new float[] { 1f })));
        disposed.Dispose();
        disposed.Dispose();

        using var first = new DecodedBatch();
        using var second = new DecodedBatch();

        Assert.Empty(first.Events);
        Assert.Empty(second.Events);
        Assert.NotSame(first.Events, second.Events);
    }

    [Fact]
    public void TruncatingABatch_DropsWhatWasAppendedAfterThatPoint()
    {
        using var batch = new DecodedBatch();
        batch.Events.Add((0, new TelemetryEvent("f", "a", 1, 1, new float[] { 1f })));
        batch.Rejections.Add(new EventRejection(1, "kept"));
        batch.Events.Add((0, new TelemetryEvent("f", "b", 1, 1, new float[] { 1f })));
        batch.Rejections.Add(new EventRejection(1, "dropped"));

        batch.Truncate(events: 1, rejections: 1);

        Assert.Equal("a", Assert.Single(batch.Events).Event.DeviceId);
        Assert.Equal("kept", Assert.Single(batch.Rejections).Reason);
    }
}
