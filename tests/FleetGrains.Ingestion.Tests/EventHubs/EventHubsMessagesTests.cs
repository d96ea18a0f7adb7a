using System.Text;
using Azure.Messaging.EventHubs;
using FleetGrains.Ingestion.Binary;
using FleetGrains.Ingestion.EventHubs;

namespace FleetGrains.Ingestion.Tests.EventHubs;

public class EventHubsMessagesTests
{
    private static readonly EventHubsSourceOptions Options = new();

    [Fact]
    public void AnIotHubEvent_NamesItsDevice_FromTheConnectionDeviceIdSystemProperty_AndItsFleet_FromAnApplicationProperty()
    {
        var data = EventHubsModelFactory.EventData(
            new BinaryData("""{"seq":1,"ts":"2026-12-03T00:00:00Z","values":{"t":1}}"""u8.ToArray()),
            properties: new Dictionary<string, object> { ["fleetId"] = "north" },
            systemProperties: new Dictionary<string, object> { ["iothub-connection-device-id"] = "pump-7" },
            sequenceNumber: 42,
            offsetString: "4200");

        var message = EventHubsMessages.ToSourceMessage("telemetry", "3", data, Options);

        Assert.Equal(("telemetry/3@42", "north", "pump-7", false), (message.Position, message.FleetId, message.DeviceId, message.Binary));
        Assert.Equal(data.EventBody.ToArray(), message.Payload.ToArray());
    }

    [Fact]
    public void AnApplicationProperty_WinsOverTheSystemProperty_AndANumberIsReadInvariantly()
    {
        var data = EventHubsModelFactory.EventData(
            new BinaryData("{}"u8.ToArray()),
            properties: new Dictionary<string, object> { ["iothub-connection-device-id"] = 1.5, ["fleetId"] = "f" },
            systemProperties: new Dictionary<string, object> { ["iothub-connection-device-id"] = "from-system" },
            offsetString: "0");

        var message = EventHubsMessages.ToSourceMessage("h", "0", data, Options);

        Assert.Equal("1.5", message.DeviceId);
    }

    [Fact]
    public void ABinaryBatch_IsKnownByItsContentType_AndPropertiesAreIgnoredWhenNotConfigured()
    {
        var data = new EventData(Encoding.UTF8.GetBytes("x")) { ContentType = BinaryBatchDecoder.ContentType };
        data.Properties["fleetId"] = "north";

        var message = EventHubsMessages.ToSourceMessage("h", "0", data, new EventHubsSourceOptions { FleetIdProperty = null, DeviceIdProperty = null });

        Assert.True(message.Binary);
        Assert.Null(message.FleetId);
        Assert.Null(message.DeviceId);
    }
}
