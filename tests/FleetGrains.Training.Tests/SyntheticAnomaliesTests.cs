using FleetGrains.Training.Data;
using FleetGrains.Training.Evaluation;
using FleetGrains.Training.Models;

namespace FleetGrains.Training.Tests;

public sealed class SyntheticAnomaliesTests
{
    private static List<float[]> Rows(int count) =>
        [.. Enumerable.Range(0, count).Select(t => new[] { (float)Math.Sin(t / 5.0), (float)Math.Cos(t / 7.0), 0.5f })];

    [Fact]
    public void Plant_ChangesOnlyLabelledRows_CoversAboutFivePercent_AndLeavesTheInputAlone()
    {
        var rows = Rows(2000);
        var scale = Normaliser.Fit(rows);

        var (planted, labels) = SyntheticAnomalies.Plant(rows, scale, seed: 3);

        var changed = Enumerable.Range(0, rows.Count).Where(t => !rows[t].SequenceEqual(planted[t])).ToList();
        Assert.All(changed, t => Assert.True(labels[t]));
        Assert.InRange(labels.Count(l => l), 100, 200);
        Assert.True(changed.Count > labels.Count(l => l) / 5, "most anomalous rows should differ from the original");
        Assert.Equal(Math.Sin(0), rows[0][0], 6);
        Assert.Equal(Rows(2000).SelectMany(r => r), rows.SelectMany(r => r));
    }

    [Fact]
    public void Plant_IsDeterministicPerSeed()
    {
        var rows = Rows(1000);
        var scale = Normaliser.Fit(rows);

        var first = SyntheticAnomalies.Plant(rows, scale, seed: 5);
        var again = SyntheticAnomalies.Plant(rows, scale, seed: 5);
        var other = SyntheticAnomalies.Plant(rows, scale, seed: 6);

        Assert.Equal(first.Labels, again.Labels);
        Assert.Equal(first.Rows.SelectMany(r => r), again.Rows.SelectMany(r => r));
        Assert.NotEqual(first.Labels, other.Labels);
    }

    [Fact]
    public void TrainingTail_TrainsOnTheHead_AndTestsOnThePlantedTail_WithoutTheRealTestSplit()
    {
        var train = Rows(3000);
        var machine = new SmdMachine("m", train, [new[] { 99f, 99f, 99f }], [true]);

        var tail = SyntheticAnomalies.TrainingTail(machine);

        Assert.Equal(2700, tail.Train.Count);
        Assert.Equal(300, tail.Test.Count);
        Assert.Equal(300, tail.Labels.Length);
        Assert.Contains(true, tail.Labels);
        Assert.DoesNotContain(tail.Test, r => r.SequenceEqual([99f, 99f, 99f]));
    }

    [Fact]
    public void Plant_TooFewRows_IsRefused()
    {
        var rows = Rows(50);

        var ex = Assert.Throws<ArgumentException>(() => SyntheticAnomalies.Plant(rows, Normaliser.Fit(rows), seed: 1));
        Assert.Contains("50 rows are too few", ex.Message);
    }
}
