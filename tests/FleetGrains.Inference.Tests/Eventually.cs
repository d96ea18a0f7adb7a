namespace FleetGrains.Inference.Tests;

/// <summary>Polling with a real-time deadline, for what happens on other threads or silos.</summary>
internal static class Eventually
{
    public static async Task Holds(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            await Task.Delay(5);
        }
    }

    /// <summary>Retries <paramref name="action"/> until it succeeds; after 30 s its failure is the test's.</summary>
    public static async Task<T> Succeeds<T>(Func<Task<T>> action)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                return await action();
            }
            catch (Exception) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(200);
            }
        }
    }
}
