namespace FleetGrains.Abstractions.Tests;

public class ModelRefTests
{
    [Theory]
    [InlineData("pump-ae@1", true)]
    [InlineData("pump-ae@12", false)]
    [InlineData("pump-ae@01", false)]
    [InlineData("pump-ae@", false)]
    [InlineData("pump-ae", false)]
    [InlineData("pump-aex@1", false)]
    [InlineData("pump@1", false)]
    [InlineData("statistical", false)]
    [InlineData(null, false)]
    public void HasKey_IsTrueForItsOwnKeyOnly(string? key, bool expected)
    {
        var model = new ModelRef("pump-ae", 1);

        Assert.Equal(expected, model.HasKey(key));
        Assert.Equal(model.Key == key, model.HasKey(key));
    }

    [Fact]
    public void HasKey_ReadsEveryVersion()
    {
        foreach (var version in new[] { 1, 9, 10, 123, int.MaxValue })
        {
            var model = new ModelRef("m@x", version); // an id may hold '@' itself: the key's last '@' separates the version
            Assert.True(model.HasKey(model.Key));
            Assert.False(model.HasKey(new ModelRef("m@x", version == 1 ? 2 : 1).Key));
        }
    }
}
