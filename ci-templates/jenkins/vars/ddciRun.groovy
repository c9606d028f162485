// ddciRun(tool, args, opts, flags, lists) — runs a ddci executable on the agent
// and returns its exit status. The other ddci* steps call it.
//
// Each command-line value goes to the shell as an environment variable
// (DDCI_ARG_n), never interpolated into the script, and the keys come from
// Jenkins credentials (Secret text) bound by withCredentials, so they are
// masked in the log and never part of a Groovy string.
//
//   args.apiKeyCredentialsId   credentials id of the API key (default 'datadog-api-key')
//   args.appKeyCredentialsId   credentials id of the application key (default 'datadog-app-key')
//   args.site                  Datadog site (default: DD_SITE on the agent, else datadoghq.com)
//   args.extraArgs             more flags, a List of strings
//   args.stdoutFile            also keep the tool's stdout in this file
int call(String tool, Map args, Map opts, Map flags = [:], Map lists = [:], boolean needsAppKey = false) {
    List<String> argv = []
    opts.each { key, flag ->
        def v = args[key]
        if (v != null && v.toString() != '') {
            argv << flag
            argv << v.toString()
        }
    }
    flags.each { key, flag ->
        if (args[key] == true) {
            argv << flag
        }
    }
    lists.each { key, flag ->
        def v = args[key]
        List items = (v instanceof List) ? v : (v ? v.toString().split(/[\s,]+/) as List : [])
        items.each { item ->
            if (item != null && item.toString() != '') {
                argv << flag
                argv << item.toString()
            }
        }
    }
    (args.extraArgs ?: []).each { argv << it.toString() }

    List<String> envs = ["DDCI_TOOL=${tool}", "DDCI_NARGS=${argv.size()}"]
    argv.eachWithIndex { a, i -> envs << "DDCI_ARG_${i + 1}=${a}" }
    if (args.stdoutFile) {
        envs << "DDCI_STDOUT_FILE=${args.stdoutFile}"
    }
    if (args.site) {
        envs << "DD_SITE=${args.site}"
    }
    List creds = [string(credentialsId: args.apiKeyCredentialsId ?: 'datadog-api-key', variable: 'DD_API_KEY')]
    if (needsAppKey || args.appKeyCredentialsId) {
        creds << string(credentialsId: args.appKeyCredentialsId ?: 'datadog-app-key', variable: 'DD_APP_KEY')
    }
    int rc = 0
    withCredentials(creds) {
        withEnv(envs) {
            rc = sh(script: libraryResource('ddci/run.sh'), returnStatus: true, label: tool)
        }
    }
    return rc
}
