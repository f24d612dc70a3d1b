using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using YamlDotNet.RepresentationModel;

namespace TokenFunction.Tests.Infra;

/// <summary>
/// What the Azure Developer CLI reads (azure.yaml, infra/main.parameters.json, the azd-* tags and the outputs)
/// matches the template: azd itself is not run here (it needs Azure), so its inputs are checked against main.json.
/// </summary>
public partial class AzdTests
{
    private static ArmTemplate Template => CompiledInfra.Instance.Template;

    private static JsonObject TemplateParameters => Template.Root["parameters"]?.AsObject() ?? [];

    private static YamlMappingNode AzureYaml()
    {
        var stream = new YamlStream();
        using (var reader = new StringReader(File.ReadAllText(RepoPaths.AzureYaml)))
        {
            stream.Load(reader);
        }

        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    private static JsonObject AzdParameters() =>
        JsonNode.Parse(File.ReadAllText(RepoPaths.AzdParameters))?["parameters"]?.AsObject() ?? [];

    /// <summary><c>${NAME}</c> or <c>${NAME=default}</c>, azd's substitution of its environment's variables.</summary>
    [GeneratedRegex(@"^\$\{(?<name>[A-Z_][A-Z0-9_]*)(=(?<default>[^}]*))?\}$")]
    private static partial Regex Substitution();

    private static IEnumerable<(string Name, string Value)> AzdParameterValues() =>
        AzdParameters().Select(p => (p.Key, (string?)p.Value?["value"] ?? string.Empty));

    [Test]
    public void AzureYamlProvisionsMainBicepWithItsParametersFile()
    {
        var infra = Workflow.Map(AzureYaml(), "infra");
        var path = Workflow.Scalar(infra, "path") ?? "infra";
        var module = Workflow.Scalar(infra, "module") ?? "main";

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Workflow.Scalar(infra, "provider"), Is.EqualTo("bicep"));
            Assert.That(Path.GetFullPath(Path.Combine(RepoPaths.Root, path, module + ".bicep")), Is.EqualTo(Path.GetFullPath(RepoPaths.MainBicep)));
            Assert.That(File.Exists(Path.Combine(RepoPaths.Root, path, module + ".parameters.json")), Is.True);
        }
    }

    [Test]
    public void EveryAzureYamlServiceIsAFunctionsProjectDeployedToTheAppTaggedWithItsName()
    {
        var services = Workflow.Map(AzureYaml(), "services");
        var siteTags = Template.OfType("Microsoft.Resources/deployments").Single(d => d.Name == "functionApp")
            .Json["properties"]?["parameters"]?["siteTags"]?["value"]?.AsObject();
        var site = Template.OfType("Microsoft.Web/sites").Single();
        var tagged = ArmTemplate.VariableReference().Match((string?)siteTags?["azd-service-name"] ?? string.Empty).Groups[1].Value;

        Assert.That(services?.Children, Has.Count.EqualTo(1));
        var (name, service) = (((YamlScalarNode)services!.Children.Single().Key).Value, services.Children.Single().Value);
        var project = Path.Combine(RepoPaths.Root, Workflow.Scalar(service, "project") ?? string.Empty);
        var csproj = Directory.GetFiles(project, "*.csproj").Single();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Workflow.Scalar(service, "host"), Is.EqualTo("function"));
            Assert.That(Workflow.Scalar(service, "language"), Is.EqualTo("dotnet"));
            Assert.That(XDocument.Load(csproj).Descendants("AzureFunctionsVersion").Select(e => e.Value), Is.EqualTo(new[] { "v4" }));
            Assert.That((string?)Template.Root["variables"]?[tagged], Is.EqualTo(name), "azd finds the app by its azd-service-name tag");
            Assert.That(site.Json["tags"]?.ToString(), Does.Contain("parameters('siteTags')"));
        }
    }

    [Test]
    public void EveryResourceCarriesTheAzdEnvironmentTag()
    {
        var allTags = Template.Root["variables"]?["allTags"]?.ToString() ?? string.Empty;
        var tagged = Template.Resources.Where(r => r.Json["tags"] is not null).ToList();

        Assert.That(allTags, Does.Contain("'azd-env-name', parameters('environmentName')"));
        Assert.That(tagged, Has.Count.GreaterThan(10));
        using (Assert.EnterMultipleScope())
        {
            foreach (var resource in tagged)
            {
                var tags = resource.Json["tags"]!.ToString();
                var fromRoot = ReferenceEquals(resource.DeclaringTemplate, Template.Root)
                    ? tags.Contains("variables('allTags')", StringComparison.Ordinal)
                    : tags.Contains("parameters('tags')", StringComparison.Ordinal)
                      && Template.ArgumentOf(resource.DeclaringTemplate, "tags")?.ToString() is "[variables('allTags')]" or "[parameters('tags')]";
                Assert.That(fromRoot, Is.True, $"{resource.Type} {resource.Name}: {tags}");
            }
        }
    }

    [Test]
    public void MainParametersJsonNamesOnlyTemplateParametersAndEveryRequiredOne()
    {
        var named = AzdParameters().Select(p => p.Key).ToList();
        var required = TemplateParameters.Where(p => p.Value?["defaultValue"] is null && (bool?)p.Value?["nullable"] != true).Select(p => p.Key);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(TemplateParameters.Select(p => p.Key), Is.SupersetOf(named));
            Assert.That(named, Is.SupersetOf(required));
        }
    }

    [TestCase("environmentName", "AZURE_ENV_NAME")]
    [TestCase("location", "AZURE_LOCATION")]
    [TestCase("deployerPrincipalId", "AZURE_PRINCIPAL_ID")]
    [TestCase("deployerPrincipalType", "AZURE_PRINCIPAL_TYPE")]
    public void MainParametersJsonTakesAzdsOwnVariables(string parameter, string variable)
    {
        var value = (string?)AzdParameters()[parameter]?["value"] ?? string.Empty;

        Assert.That(Substitution().Match(value).Groups["name"].Value, Is.EqualTo(variable), value);
    }

    [Test]
    public void EveryDefaultInMainParametersJsonIsAValueTheParameterAccepts()
    {
        var values = AzdParameterValues().ToList();

        Assert.That(values, Is.Not.Empty);
        using (Assert.EnterMultipleScope())
        {
            foreach (var (name, value) in values)
            {
                var match = Substitution().Match(value);
                Assert.That(match.Success, Is.True, $"{name}: '{value}' is an azd ${{VARIABLE}} or ${{VARIABLE=default}}");
                if (!match.Groups["default"].Success)
                {
                    continue;
                }

                var fallback = match.Groups["default"].Value;
                var parameter = TemplateParameters[name]!;
                var type = (string?)parameter["type"];
                Assert.That(type switch
                {
                    "bool" => bool.TryParse(fallback, out _),
                    "int" => int.TryParse(fallback, out _),
                    "string" => true,
                    _ => false,
                }, Is.True, $"{name}: '{fallback}' is a {type}");
                if (parameter["allowedValues"] is JsonArray allowed)
                {
                    Assert.That(allowed.Select(v => v?.ToString()), Does.Contain(fallback), name);
                }
            }
        }
    }

    [Test]
    public void AnyEnvironmentNameIsAccepted()
    {
        var environmentName = TemplateParameters["environmentName"];

        using (Assert.EnterMultipleScope())
        {
            Assert.That(environmentName?["allowedValues"], Is.Null);
            Assert.That((int?)environmentName?["maxLength"], Is.EqualTo(64), "azd's own limit");
        }
    }

    [TestCase("dev", "dev")]
    [TestCase("prod", "prod")]
    [TestCase("PR-1234", "pr1234")]
    [TestCase("my_env.(2)", "myenv2")]
    [TestCase("a-very-long-environment-name", "averylonge")]
    [TestCase("-_.()", "env")]
    public void ResourceNamesTakeTheEnvironmentNamesLowercaseLettersAndDigits(string environmentName, string token)
    {
        var result = BicepFunction.Evaluate("modules/naming.bicep", "environmentToken", $"'{environmentName}'");

        Assert.That((string?)result, Is.EqualTo(token));
    }

    [TestCase("tokenEndpointUrl")]
    [TestCase("issuer")]
    [TestCase("jwksUrl")]
    [TestCase("signingKeyId")]
    [TestCase("metadataUrl")]
    [TestCase("functionAppName")]
    public void TheTemplateOutputsWhatAzdAndTheWorkflowRead(string output) =>
        Assert.That(Template.Outputs.Select(o => o.Key), Does.Contain(output));

    [Test]
    public void EveryOutputTheWorkflowsReadExists()
    {
        var read = Workflow.All()
            .SelectMany(w => Regex.Matches(w.Text, @"\bjq -r \.?(?<name>[A-Za-z]+)\.value").Select(m => m.Groups["name"].Value))
            .Distinct(StringComparer.Ordinal)
            .ToList();

        Assert.That(read, Is.SupersetOf(new[] { "tokenEndpointUrl", "jwksUrl", "issuer", "functionAppName" }));
        Assert.That(Template.Outputs.Select(o => o.Key), Is.SupersetOf(read));
    }

    [Test]
    public void AzdsLocalEnvironmentsAreNotCommitted() =>
        Assert.That(File.ReadAllLines(Path.Combine(RepoPaths.Root, ".gitignore")), Does.Contain(".azure/"));
}
