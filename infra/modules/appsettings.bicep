// How a deployment writes the function app's settings. Microsoft.Web/sites/config 'appsettings' replaces the
// whole set, so a plain deployment would wipe every setting added outside the template. The rule instead:
//  - a setting the template owns (a key of `desired`) takes the template's value, and is removed when that value
//    is null (the parameter was left unset, so the app's default applies);
//  - every other setting the app already has is kept as it is.
// TokenFunction.Tests/Infra evaluates this function with the Bicep CLI (build-params) to prove the rule.

@export()
@description('The app settings to write: `existing` (what the app has now) without the keys `desired` owns, plus the non-null values of `desired` as strings.')
func mergeAppSettings(existing object, desired object) object =>
  union(
    toObject(filter(items(existing), setting => !contains(desired, setting.key)), setting => setting.key, setting => setting.value),
    toObject(filter(items(desired), setting => setting.value != null), setting => setting.key, setting => string(setting.value))
  )
