// ddciRun(tool, args, opts, flags, lists, needsAppKey) — runs a ddci executable
// on the agent and returns its exit status. The other ddci* steps call it.
//
// The command line never goes through withEnv (Jenkins expands ${VAR} in
// withEnv values, so an argument such as '${DD_API_KEY}' would become the
// key) nor through Groovy-interpolated shell text: ddciRun writes it with
// writeFile as single-quoted shell words into a file in the workspace's
// temporary directory, and resources/ddci/run.sh reads it. withEnv carries
// only that file's path. The keys come from Jenkins credentials (Secret
// text) bound by withCredentials around this one call, so they are masked
// and never part of a Groovy string.
//
//   args.apiKeyCredentialsId   credentials id of the API key (default 'datadog-api-key')
//   args.appKeyCredentialsId   credentials id of the application key (default 'datadog-app-key')
//   args.site                  Datadog site (default: DD_SITE on the agent, else datadoghq.com)
//   args.extraArgs             more flags: a List of strings, or a String split like a shell
//                              would (quotes and backslashes; no expansion)
//   args.stdoutFile            also keep the tool's stdout in this file
// Boolean options take true/false or the strings 'true'/'false' (also
// yes/no, on/off, 1/0); anything else is an error naming the option.
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
        if (ddciBool(tool, key, args[key])) {
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
    if (args.site) {
        argv << '--site'
        argv << args.site.toString()
    }
    argv.addAll(ddciWords(tool, args.extraArgs))

    String text = 'DDCI_TOOL=' + ddciQuote(tool) + '\n'
    if (args.stdoutFile) {
        text += 'DDCI_STDOUT_FILE=' + ddciQuote(args.stdoutFile.toString()) + '\n'
    }
    text += 'set --' + argv.collect { ' ' + ddciQuote(it) }.join('') + '\n'
    String dir = env.WORKSPACE_TMP ?: pwd(tmp: true)
    String argsFile = "${dir}/ddci-args-${tool}-${System.nanoTime()}"
    writeFile(file: argsFile, text: text)

    List creds = [string(credentialsId: args.apiKeyCredentialsId ?: 'datadog-api-key', variable: 'DD_API_KEY')]
    if (needsAppKey || args.appKeyCredentialsId) {
        creds << string(credentialsId: args.appKeyCredentialsId ?: 'datadog-app-key', variable: 'DD_APP_KEY')
    }
    int rc = 0
    withCredentials(creds) {
        withEnv(["DDCI_ARGS_FILE=${argsFile}"]) {
            rc = sh(script: libraryResource('ddci/run.sh'), returnStatus: true, label: tool)
        }
    }
    return rc
}

// ddciQuote(s) — s as one single-quoted POSIX shell word.
static String ddciQuote(String s) {
    return "'" + s.replace("'", "'\\''") + "'"
}

// ddciBool(tool, name, v) — true/false from a boolean or its usual spellings.
static boolean ddciBool(String tool, String name, def v) {
    if (v == null || v == false || v == '') {
        return false
    }
    if (v == true) {
        return true
    }
    String s = v.toString().trim().toLowerCase()
    if (s in ['true', 'yes', 'on', '1']) {
        return true
    }
    if (s in ['false', 'no', 'off', '0']) {
        return false
    }
    throw new IllegalArgumentException("${tool}: ${name} must be true or false, not '${v}'")
}

// ddciWords(tool, v) — extraArgs as a List of words: a List as it is; a
// String split like a shell would ('...', "...", \x; no expansion).
static List<String> ddciWords(String tool, def v) {
    if (v == null || v == '') {
        return []
    }
    if (v instanceof List) {
        return v.collect { it.toString() }
    }
    List<String> words = []
    StringBuilder w = null
    String s = v.toString()
    char quote = 0
    for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i)
        if (quote == (char) "'") {
            if (c == (char) "'") { quote = 0 } else { w.append(c) }
        } else if (quote == (char) '"') {
            if (c == (char) '"') {
                quote = 0
            } else if (c == (char) '\\' && i + 1 < s.length() && '"\\$`'.indexOf((int) s.charAt(i + 1)) >= 0) {
                w.append(s.charAt(++i))
            } else {
                w.append(c)
            }
        } else if (Character.isWhitespace(c)) {
            if (w != null) { words << w.toString(); w = null }
        } else {
            if (w == null) { w = new StringBuilder() }
            if (c == (char) "'" || c == (char) '"') {
                quote = c
            } else if (c == (char) '\\' && i + 1 < s.length()) {
                w.append(s.charAt(++i))
            } else {
                w.append(c)
            }
        }
    }
    if (quote != 0) {
        throw new IllegalArgumentException("${tool}: extraArgs has an unterminated ${quote} quote: ${s}")
    }
    if (w != null) { words << w.toString() }
    return words
}
