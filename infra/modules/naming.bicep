// Names derived from the environment name. azd accepts letters, digits, '-', '_', '.', '(' and ')' in an
// environment name; resource names take only its letters and digits, lowercased (storage accounts allow nothing
// else). TokenFunction.Tests/Infra evaluates this function with the Bicep CLI.

@export()
@description('The environment name reduced to at most 10 lowercase letters and digits ("env" when nothing is left).')
func environmentToken(environmentName string) string =>
  take(
    empty(toLower(replace(replace(replace(replace(replace(environmentName, '-', ''), '_', ''), '.', ''), '(', ''), ')', '')))
      ? 'env'
      : toLower(replace(replace(replace(replace(replace(environmentName, '-', ''), '_', ''), '.', ''), '(', ''), ')', '')),
    10
  )
