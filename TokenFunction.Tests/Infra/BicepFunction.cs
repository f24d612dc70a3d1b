using System.Text.Json.Nodes;

namespace TokenFunction.Tests.Infra;

/// <summary>
/// Evaluates an exported Bicep function (or variable) of infra/ offline: a temporary .bicepparam (<c>using none</c>) imports it and
/// assigns the call to a parameter, and <c>bicep build-params</c> evaluates it with the deployment engine's own
/// functions. What the tests see is what ARM computes.
/// </summary>
internal static class BicepFunction
{
    public static JsonNode? Evaluate(string moduleFile, string function, string argumentsInBicep) =>
        EvaluateExpression(moduleFile, $"{{ {function} }}", $"{function}({argumentsInBicep})");

    /// <summary>
    /// A Bicep expression over what <paramref name="moduleFile"/> exports, imported with <paramref name="importClause"/>
    /// (<c>{ name }</c>, or <c>* as alias</c>), so that one CLI run can evaluate several functions and variables.
    /// </summary>
    public static JsonNode? EvaluateExpression(string moduleFile, string importClause, string expression)
    {
        var folder = Directory.CreateTempSubdirectory("tokenfunction-bicep-fn-").FullName;
        try
        {
            var module = Path.GetRelativePath(folder, Path.Combine(RepoPaths.Infra, moduleFile)).Replace('\\', '/');
            var parameters = Path.Combine(folder, "evaluate.bicepparam");
            File.WriteAllText(parameters, $"""
                using none
                import {importClause} from '{module}'
                param result = {expression}
                """);
            var output = Path.Combine(folder, "evaluate.json");
            var run = BicepCli.Run("build-params", parameters, "--outfile", output);
            if (run.ExitCode != 0 || run.Diagnostics.Count != 0)
            {
                throw new InvalidOperationException(run.ToString());
            }

            return JsonNode.Parse(File.ReadAllText(output))?["parameters"]?["result"]?["value"];
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
