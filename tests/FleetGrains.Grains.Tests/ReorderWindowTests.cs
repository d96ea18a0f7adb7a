using FleetGrains.Grains.Devices;

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
        window.MarkSeen(5);

        Assert.False(window.IsUnseenLate(5, 9));
        Assert.True(window.IsUnseenLate(6, 9));
    }
}
