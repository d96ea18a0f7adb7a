namespace FleetGrains.Grains.Tests;

public class TimeSlotsTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(100);

    [Fact]
    public void ASlotIsDueAtTheFirstTickAtOrAfterItsMoment_AndNeverOneAlreadyTaken()
    {
        var slots = new TimeSlots<List<string>>(Tick);
        slots.At(Start + TimeSpan.FromMilliseconds(250), Start).Content.Add("later");
        slots.At(Start, Start).Content.Add("now");

        Assert.Equal(["now"], slots.TakeDue(Start + Tick).SelectMany(s => s));
        Assert.Empty(slots.TakeDue(Start + (2 * Tick)));
        Assert.Equal(["later"], slots.TakeDue(Start + (3 * Tick)).SelectMany(s => s));

        slots.At(Start, Start + (3 * Tick)).Content.Add("overdue when scheduled");
        Assert.Equal(["overdue when scheduled"], slots.TakeDue(Start + (4 * Tick)).SelectMany(s => s));
    }

    [Fact]
    public void AfterALongPause_TheDueSlotsComeOldestFirst()
    {
        var slots = new TimeSlots<List<int>>(Tick);
        foreach (var second in new[] { 30, 10, 20 })
        {
            slots.At(Start + TimeSpan.FromSeconds(second), Start).Content.Add(second);
        }

        var taken = slots.TakeDue(Start + TimeSpan.FromDays(1));

        Assert.Equal([10, 20, 30], taken.SelectMany(s => s));
    }

    [Fact]
    public void ASlotIsOverdue_OnlyOnceItsMomentIsMoreThanTheGivenTimePast()
    {
        var slots = new TimeSlots<List<int>>(Tick);
        var slot = slots.At(Start + TimeSpan.FromSeconds(1), Start).Slot;

        Assert.False(slots.IsOverdue(slot, Start + TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10)));
        Assert.True(slots.IsOverdue(slot, Start + TimeSpan.FromSeconds(11.2), TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public void TakingAll_TakesDueAndLaterSlotsOldestFirst_AndLeavesNone()
    {
        var slots = new TimeSlots<List<int>>(Tick);
        foreach (var second in new[] { 30, 0, 20 })
        {
            slots.At(Start + TimeSpan.FromSeconds(second), Start).Content.Add(second);
        }

        Assert.Equal([0, 20, 30], slots.TakeAll().SelectMany(s => s));
        Assert.Empty(slots.TakeDue(Start + TimeSpan.FromDays(1)));
    }
}
