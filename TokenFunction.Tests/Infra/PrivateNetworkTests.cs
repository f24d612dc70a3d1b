using System.Text.Json.Nodes;

namespace TokenFunction.Tests.Infra;

/// <summary>
/// The private shape (vnetEnabled): VNet integration of the app, private endpoints and private DNS zones for the
/// storage services the app uses and for the vault, public network access disabled on both. Both shapes compile with
/// no diagnostic (dev is public, prod private: BicepCompilationTests); these tests read the compiled template.
/// </summary>
public class PrivateNetworkTests
{
    private static ArmTemplate Template => CompiledInfra.Instance.Template;

    private static ArmResource Module(string name) =>
        Template.OfType("Microsoft.Resources/deployments").Single(d => d.Name == name || d.Name.StartsWith($"[format('{name}", StringComparison.Ordinal));

    private static string Argument(ArmResource module, string parameter) =>
        module.Json["properties"]?["parameters"]?[parameter]?["value"]?.ToString() ?? string.Empty;

    private static JsonNode? Parameter(string environment, string name) =>
        JsonNode.Parse(CompiledInfra.Instance.ParameterFiles[environment])?["parameters"]?[name]?["value"];

    [Test]
    public void PrivateNetworkingIsOffForTheQuickStartAndOnInProduction()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That((bool?)Template.Root["parameters"]?["vnetEnabled"]?["defaultValue"], Is.False);
            Assert.That((bool?)Parameter("dev", "vnetEnabled"), Is.False);
            Assert.That((bool?)Parameter("prod", "vnetEnabled"), Is.True);
        }
    }

    [Test]
    public void TheNetworkAndEveryPrivateEndpointExistOnlyInThePrivateShape()
    {
        using (Assert.EnterMultipleScope())
        {
            foreach (var name in new[] { "network", "endpoint-storage-", "endpoint-keyvault" })
            {
                Assert.That((string?)Module(name).Json["condition"], Is.EqualTo("[parameters('vnetEnabled')]"), name);
            }
        }
    }

    [Test]
    public void TheVirtualNetworkHasADelegatedAppSubnetAndAnEndpointSubnet()
    {
        var vnet = Template.OfType("Microsoft.Network/virtualNetworks").Single();
        var subnets = (vnet.Property("subnets") as JsonArray ?? []).OfType<JsonObject>().ToList();
        var app = subnets.Single(s => (string?)s["name"] == "app");
        var network = Module("network");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(subnets.Select(s => (string?)s["name"]), Is.EquivalentTo(new[] { "app", "private-endpoints" }));
            Assert.That(app["properties"]?["delegations"]?[0]?["properties"]?["serviceName"]?.ToString(), Is.EqualTo("[parameters('appSubnetDelegation')]"));
            Assert.That(network.Json["properties"]?["parameters"]?["appSubnetDelegation"]?.ToString(), Does.Contain("'Microsoft.App/environments'").And.Contain("'FC1'"));
            Assert.That(subnets.All(s => s["properties"]?["networkSecurityGroup"] is not null), Is.True, "every subnet has a network security group");
        }
    }

    [Test]
    public void StorageAndVaultEndpointsHaveTheirPrivateDnsZonesLinkedToTheNetwork()
    {
        var zones = Template.Root["variables"]?["privateDnsZones"]?.AsObject();
        var storageServices = Template.Root["variables"]?["storageEndpoints"]?.AsArray().Select(s => (string?)s).ToList();
        var storageEndpoint = Module("endpoint-storage-");
        var vaultEndpoint = Module("endpoint-keyvault");
        var endpoint = Template.OfType("Microsoft.Network/privateEndpoints").First();
        var zoneGroup = Template.OfType("Microsoft.Network/privateEndpoints/privateDnsZoneGroups").First();

        Assert.That(zones, Is.Not.Null);
        using (Assert.EnterMultipleScope())
        {
            // The host's blobs, the deployment package and the tables; nothing uses queues.
            Assert.That(storageServices, Is.EquivalentTo(new[] { "blob", "table" }));
            Assert.That(zones!.Select(z => z.Key), Is.EquivalentTo(new[] { "blob", "table", "vault" }));
            Assert.That(zones["blob"]?.ToString(), Is.EqualTo("[format('privatelink.blob.{0}', environment().suffixes.storage)]"));
            Assert.That(zones["table"]?.ToString(), Is.EqualTo("[format('privatelink.table.{0}', environment().suffixes.storage)]"));
            Assert.That(zones["vault"]?.ToString(), Does.Contain("environment().suffixes.keyvaultDns").And.Contain("'.vaultcore.'"));
            Assert.That(Argument(storageEndpoint, "groupId"), Is.EqualTo("[variables('storageEndpoints')[copyIndex()]]"));
            Assert.That(Argument(storageEndpoint, "resourceId"), Does.Contain("reference('storage').outputs.storageAccountId"));
            Assert.That(Argument(storageEndpoint, "privateDnsZoneId"), Does.Contain("'privateDnsZoneIds', 'value', variables('storageEndpoints')[copyIndex()]"));
            Assert.That(Argument(vaultEndpoint, "groupId"), Is.EqualTo("vault"));
            Assert.That(Argument(vaultEndpoint, "resourceId"), Does.Contain("reference('keyVault').outputs.keyVaultId"));
            Assert.That(Argument(vaultEndpoint, "privateDnsZoneId"), Does.Contain("'privateDnsZoneIds', 'value', 'vault'"));
            Assert.That(endpoint.Property("privateLinkServiceConnections")?[0]?["properties"]?["groupIds"]?[0]?.ToString(), Is.EqualTo("[parameters('groupId')]"));
            Assert.That(zoneGroup.Property("privateDnsZoneConfigs")?[0]?["properties"]?["privateDnsZoneId"]?.ToString(), Is.EqualTo("[parameters('privateDnsZoneId')]"));
            Assert.That(Template.OfType("Microsoft.Network/privateDnsZones/virtualNetworkLinks").Single().Property("virtualNetwork.id")?.ToString(), Does.Contain("Microsoft.Network/virtualNetworks"));
        }
    }

    [TestCase("Microsoft.Storage/storageAccounts", "storage")]
    [TestCase("Microsoft.KeyVault/vaults", "keyVault")]
    public void StorageAndVaultRefusePublicNetworkAccessInThePrivateShape(string type, string module)
    {
        var resource = Template.OfType(type).Single();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Argument(Module(module), "publicNetworkAccess"), Is.EqualTo("[not(parameters('vnetEnabled'))]"));
            Assert.That(resource.Property("publicNetworkAccess")?.ToString(), Is.EqualTo("[if(parameters('publicNetworkAccess'), 'Enabled', 'Disabled')]"));
            Assert.That(resource.Property("networkAcls.defaultAction")?.ToString(), Is.EqualTo("[if(parameters('publicNetworkAccess'), 'Allow', 'Deny')]"));
        }
    }

    [Test]
    public void TheAppIntegratesWithTheAppSubnetAndStartsAfterTheEndpoints()
    {
        var site = Template.OfType("Microsoft.Web/sites").Single();
        var functionApp = Module("functionApp");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(site.Property("virtualNetworkSubnetId")?.ToString(), Does.Contain("parameters('appSubnetId')"));
            Assert.That(Argument(functionApp, "appSubnetId"), Does.Contain("'appSubnetId'"));
            Assert.That(functionApp.Json["dependsOn"]?.AsArray().Select(d => (string?)d), Is.SupersetOf(new[] { "storageEndpoint", "keyVaultEndpoint" }));
            Assert.That((string?)site.Property("publicNetworkAccess"), Is.EqualTo("Enabled"), "the token endpoint itself stays public");
        }
    }

    [Test]
    public void TheDeploymentPackageIsReadFromTheBlobServiceThatHasAnEndpoint()
    {
        var site = Template.OfType("Microsoft.Web/sites").Single();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(site.Property("functionAppConfig")?.ToString(), Does.Contain("parameters('deploymentContainerUrl')"));
            Assert.That(Argument(Module("functionApp"), "deploymentContainerUrl"), Does.Contain("reference('storage').outputs.deploymentContainerUrl"));
            Assert.That(Template.OfType("Microsoft.Resources/deployments").Single(d => d.Name == "storage")
                .Property("template.outputs.deploymentContainerUrl.value")?.ToString(), Does.Contain("primaryEndpoints.blob"));
        }
    }
}
