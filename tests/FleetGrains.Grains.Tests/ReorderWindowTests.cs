using FleetGrains.Grains.Devices;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace FleetGrains.Grains.Tests;

public class ReorderWindowTests
{
    [Fact]
    public void Advance_MarksTheNewSeqSeen_AndTheSkippedOnesUnseen()
    {
        var window = new ReorderWindow(64);
        window.Advance(-1, 10);
        window.Advance(10, 14);

        Assert.False(window.IsUnseenLate(10, 14));
        Assert.True(window.IsUnseenLate(11, 14));
        Assert.True(window.IsUnseenLate(13, 14));
    }

    [Fact]
    public void Advance_ByMoreThanTheSize_ForgetsEverything()
    {
        var window = new ReorderWindow(64);
        window.Advance(-1, 5);
        window.Advance(5, 6);
        window.Advance(6, 6 + 64 + 3);

        Assert.True(window.IsUnseenLate(6 + 64 + 2, 6 + 64 + 3));
        Assert.False(window.IsUnseenLate(6, 6 + 64 + 3)); // beyond the window: cannot be told, so not late
    }

    [Fact]
    public void AllSeen_TreatsEverythingBelowTheLastAsSeen()
    {
        var window = ReorderWindow.AllSeen(100);

        Assert.Equal(128, window.Size);
        Assert.False(window.IsUnseenLate(41, 42));
    }

    [Fact]
    public void MarkSeen_IsRemembered()
    {
        var window = new ReorderWindow(64);
        window.Advance(-1, 3);
        window.Advance(3, 9);
        window.MarkSeen(5, last: 9);

        Assert.False(window.IsUnseenLate(5, 9));
        Assert.True(window.IsUnseenLate(6, 9));
    }

    [Fact]
    public void InOrderSeqs_AreSeen_AndOnesBeforeTheFirstAreUnseen()
    {
        var window = new ReorderWindow(64);
        window.Advance(-1, 100);
        for (var seq = 101L; seq <= 130; seq++)
        {
            window.Advance(seq - 1, seq);
        }

        Assert.False(window.IsUnseenLate(100, 130));
        Assert.False(window.IsUnseenLate(129, 130));
        Assert.True(window.IsUnseenLate(99, 130)); // sent before the first one that arrived
        Assert.False(window.IsUnseenLate(66, 130)); // beyond the window

        window.MarkSeen(99, last: 130);
        window.Advance(130, 133);

        Assert.False(window.IsUnseenLate(99, 133));
        Assert.False(window.IsUnseenLate(130, 133));
        Assert.True(window.IsUnseenLate(98, 133));
        Assert.True(window.IsUnseenLate(131, 133));
    }

    [Fact]
    public void AWindowStoredWithBits_AfterAJumpBeyondItsSize_KeepsItsSize()
    {
        var window = new ReorderWindow(64);
        window.Advance(-1, 1);
        window.Advance(1, 3); // bits now
        window.Advance(3, 500);
        window.Advance(500, 502);

        Assert.Equal(64, window.Size);
        Assert.True(window.IsUnseenLate(501, 502));
        Assert.False(window.IsUnseenLate(500, 502));
        Assert.True(window.IsUnseenLate(499, 502)); // skipped by the jump
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AStoredWindow_ReadsBackTheSame(bool withBits)
    {
        var serializer = new ServiceCollection().AddSerializer().BuildServiceProvider().GetRequiredService<Serializer>();
        var window = new ReorderWindow(64);
        window.Advance(-1, 10);
        window.Advance(10, withBits ? 13 : 11);

        var read = serializer.Deserialize<ReorderWindow>(serializer.SerializeToArray(window))!;

        var last = withBits ? 13 : 11;
        for (var seq = last - 70L; seq < last; seq++)
        {
            Assert.Equal(window.IsUnseenLate(seq, last), read.IsUnseenLate(seq, last));
        }

        Assert.Equal(withBits, read.IsUnseenLate(12, 13));
        Assert.True(read.IsUnseenLate(9, last));
    }
}
