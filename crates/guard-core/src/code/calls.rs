//! Program knowledge for code: which calls of each language start commands, delete, write,
//! move or read files, change permissions, fork, or decide at run time what is called. A
//! call is named as the code names it after imports are resolved (`sh.rmtree` after
//! `import shutil as sh` is `shutil.rmtree`); a name starting with `.` is a method called on
//! a path value (`Path(p).unlink()`).

use super::grammar::Lang;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Does {
    /// Hands its first argument to `/bin/sh`.
    Shell,
    /// A string first argument is shell text; a list is an argv (`IO.popen`, `proc_open`).
    ShellOrList,
    /// Makes a symbolic link: the target first, then the link.
    Link,
    /// Runs a command: an argv list, several string arguments as the argv, or a lone string
    /// (run by a shell when `string_is_shell`, or when called with `shell=True` / `shell: true`).
    Spawn { string_is_shell: bool },
    /// Runs the program named by the argument at `at`, with the arguments after it as its argv
    /// (`os.execl(path, name, a, b)`): `argv0` says the first of them is the program's own name.
    ExecArgs { at: usize, argv0: bool },
    /// Runs the program named by the argument at `at` with the argv list that follows it
    /// (`os.execv(path, [name, a])`, `pcntl_exec(path, [a])`).
    ExecList { at: usize, argv0: bool },
    /// Deletes the paths it is given (lists included).
    Delete { recursive: bool },
    /// Deletes its first argument, recursively when its options say so (`fs.rmSync(p, {recursive: true})`).
    DeleteWithOptions,
    /// Writes (or appends to) its first argument.
    Write { append: bool },
    /// Opens its first argument in the mode its second gives (`open(p, "w")`).
    Open,
    /// Perl's `open`: a mode and a path, or one string holding both, or a pipe to a command.
    PerlOpen,
    /// Changes permissions: the mode is the first argument and the paths follow, or the path
    /// comes first and the mode second.
    Chmod { mode_first: bool, recursive: bool },
    /// Changes the owner of its first argument (or, `owner_first`, of what follows the owner).
    Chown { owner_first: bool },
    /// Moves its first argument to its second.
    Move,
    /// Copies its first argument to its second (`tree`: a directory and all beneath it).
    Copy { tree: bool },
    /// Reads its first argument.
    Read,
    /// Sends a signal to processes: the signal first (`Process.kill(9, pid)`) or second
    /// (`os.kill(pid, 9)`).
    Kill { signal_first: bool },
    /// Forks the running process.
    Fork,
    /// Waits for a child process.
    Wait,
    /// Runs its first argument as code in the same language.
    Eval,
    /// Decides at run time what is called: guard cannot read what the code does.
    Opaque,
}

use Does::*;

type Table = &'static [(&'static str, Does)];

const PYTHON: Table = &[
    ("os.system", Shell),
    ("os.popen", Shell),
    ("os.popen2", Shell),
    ("os.popen3", Shell),
    ("os.popen4", Shell),
    ("platform.popen", Shell),
    ("subprocess.getoutput", Shell),
    ("subprocess.getstatusoutput", Shell),
    ("commands.getoutput", Shell),
    ("commands.getstatusoutput", Shell),
    ("asyncio.create_subprocess_shell", Shell),
    ("subprocess.run", Spawn { string_is_shell: false }),
    ("subprocess.call", Spawn { string_is_shell: false }),
    ("subprocess.check_call", Spawn { string_is_shell: false }),
    ("subprocess.check_output", Spawn { string_is_shell: false }),
    ("subprocess.Popen", Spawn { string_is_shell: false }),
    ("pty.spawn", Spawn { string_is_shell: false }),
    ("asyncio.create_subprocess_exec", ExecArgs { at: 0, argv0: false }),
    ("os.execl", ExecArgs { at: 0, argv0: true }),
    ("os.execle", ExecArgs { at: 0, argv0: true }),
    ("os.execlp", ExecArgs { at: 0, argv0: true }),
    ("os.execlpe", ExecArgs { at: 0, argv0: true }),
    ("os.spawnl", ExecArgs { at: 1, argv0: true }),
    ("os.spawnle", ExecArgs { at: 1, argv0: true }),
    ("os.spawnlp", ExecArgs { at: 1, argv0: true }),
    ("os.spawnlpe", ExecArgs { at: 1, argv0: true }),
    ("os.execv", ExecList { at: 0, argv0: true }),
    ("os.execve", ExecList { at: 0, argv0: true }),
    ("os.execvp", ExecList { at: 0, argv0: true }),
    ("os.execvpe", ExecList { at: 0, argv0: true }),
    ("os.spawnv", ExecList { at: 1, argv0: true }),
    ("os.spawnve", ExecList { at: 1, argv0: true }),
    ("os.spawnvp", ExecList { at: 1, argv0: true }),
    ("os.spawnvpe", ExecList { at: 1, argv0: true }),
    ("os.posix_spawn", ExecList { at: 0, argv0: true }),
    ("os.posix_spawnp", ExecList { at: 0, argv0: true }),
    ("shutil.rmtree", Delete { recursive: true }),
    ("os.remove", Delete { recursive: false }),
    ("os.unlink", Delete { recursive: false }),
    ("os.rmdir", Delete { recursive: false }),
    ("os.removedirs", Delete { recursive: false }),
    (".unlink", Delete { recursive: false }),
    (".rmdir", Delete { recursive: false }),
    (".write_text", Write { append: false }),
    (".write_bytes", Write { append: false }),
    (".touch", Write { append: false }),
    (".read_text", Read),
    (".read_bytes", Read),
    (".chmod", Chmod { mode_first: true, recursive: false }),
    (".rename", Move),
    (".replace", Move),
    ("open", Open),
    ("io.open", Open),
    ("codecs.open", Open),
    ("os.chmod", Chmod { mode_first: false, recursive: false }),
    ("os.symlink", Link),
    ("os.truncate", Write { append: false }),
    (".symlink_to", Link),
    (".open", Open),
    ("os.lchmod", Chmod { mode_first: false, recursive: false }),
    ("os.chown", Chown { owner_first: false }),
    ("os.lchown", Chown { owner_first: false }),
    ("shutil.chown", Chown { owner_first: false }),
    ("os.rename", Move),
    ("os.replace", Move),
    ("shutil.move", Move),
    ("shutil.copy", Copy { tree: false }),
    ("shutil.copy2", Copy { tree: false }),
    ("shutil.copyfile", Copy { tree: false }),
    ("shutil.copytree", Copy { tree: true }),
    ("os.kill", Kill { signal_first: false }),
    ("os.killpg", Kill { signal_first: false }),
    ("os.fork", Fork),
    ("os.forkpty", Fork),
    ("pty.fork", Fork),
    ("os._exit", Wait),
    ("sys.exit", Wait),
    ("exit", Wait),
    ("os.wait", Wait),
    ("os.waitpid", Wait),
    ("os.wait3", Wait),
    ("os.wait4", Wait),
    ("os.waitid", Wait),
    ("exec", Eval),
    ("eval", Eval),
    ("builtins.exec", Eval),
    ("builtins.eval", Eval),
    ("getattr", Opaque),
    ("globals", Opaque),
    ("vars", Opaque),
    ("locals", Opaque),
    ("__import__", Opaque),
    ("importlib.import_module", Opaque),
    ("ctypes.CDLL", Opaque),
    ("ctypes.cdll.LoadLibrary", Opaque),
    ("marshal.loads", Opaque),
    ("pickle.loads", Opaque),
    ("compile", Opaque),
];

const JAVASCRIPT: Table = &[
    ("child_process.exec", Shell),
    ("child_process.execSync", Shell),
    ("child_process.spawn", Spawn { string_is_shell: false }),
    ("child_process.spawnSync", Spawn { string_is_shell: false }),
    ("child_process.execFile", Spawn { string_is_shell: false }),
    ("child_process.execFileSync", Spawn { string_is_shell: false }),
    ("Bun.spawn", Spawn { string_is_shell: false }),
    ("Bun.spawnSync", Spawn { string_is_shell: false }),
    ("Deno.Command", Spawn { string_is_shell: false }),
    ("Deno.run", Spawn { string_is_shell: false }),
    ("fs.rmSync", DeleteWithOptions),
    ("fs.rm", DeleteWithOptions),
    ("fs.rmdirSync", DeleteWithOptions),
    ("fs.rmdir", DeleteWithOptions),
    ("Deno.remove", DeleteWithOptions),
    ("Deno.removeSync", DeleteWithOptions),
    ("fs.unlinkSync", Delete { recursive: false }),
    ("fs.unlink", Delete { recursive: false }),
    ("fs.removeSync", Delete { recursive: true }),
    ("fs.remove", Delete { recursive: true }),
    ("fs.emptyDirSync", Delete { recursive: true }),
    ("fs.emptyDir", Delete { recursive: true }),
    ("rimraf", Delete { recursive: true }),
    ("rimraf.sync", Delete { recursive: true }),
    ("rimraf.rimrafSync", Delete { recursive: true }),
    ("fs.writeFileSync", Write { append: false }),
    ("fs.writeFile", Write { append: false }),
    ("fs.createWriteStream", Write { append: false }),
    ("fs.appendFileSync", Write { append: true }),
    ("fs.appendFile", Write { append: true }),
    ("fs.outputFileSync", Write { append: false }),
    ("Deno.writeTextFile", Write { append: false }),
    ("Deno.writeTextFileSync", Write { append: false }),
    ("Deno.writeFile", Write { append: false }),
    ("Deno.writeFileSync", Write { append: false }),
    ("Bun.write", Write { append: false }),
    ("fs.chmodSync", Chmod { mode_first: false, recursive: false }),
    ("fs.symlinkSync", Link),
    ("fs.symlink", Link),
    ("fs.openSync", Open),
    ("fs.open", Open),
    ("fs.truncateSync", Write { append: false }),
    ("setTimeout", Eval),
    ("setInterval", Eval),
    ("fs.chmod", Chmod { mode_first: false, recursive: false }),
    ("Deno.chmod", Chmod { mode_first: false, recursive: false }),
    ("Deno.chmodSync", Chmod { mode_first: false, recursive: false }),
    ("fs.chownSync", Chown { owner_first: false }),
    ("fs.chown", Chown { owner_first: false }),
    ("fs.renameSync", Move),
    ("fs.rename", Move),
    ("fs.moveSync", Move),
    ("Deno.rename", Move),
    ("Deno.renameSync", Move),
    ("fs.copyFileSync", Copy { tree: false }),
    ("fs.copyFile", Copy { tree: false }),
    ("fs.cpSync", Copy { tree: true }),
    ("fs.cp", Copy { tree: true }),
    ("fs.copySync", Copy { tree: true }),
    ("fs.readFileSync", Read),
    ("fs.readFile", Read),
    ("Deno.readTextFile", Read),
    ("Deno.readTextFileSync", Read),
    ("process.kill", Kill { signal_first: false }),
    ("process.exit", Wait),
    ("child_process.fork", Fork),
    ("eval", Eval),
    ("Function", Eval),
    ("vm.runInNewContext", Eval),
    ("vm.runInThisContext", Eval),
    ("vm.runInContext", Eval),
    ("require", Opaque),
    ("import", Opaque),
    ("process.binding", Opaque),
    ("process.dlopen", Opaque),
    ("Reflect.apply", Opaque),
];

const RUBY: Table = &[
    ("system", Spawn { string_is_shell: true }),
    ("exec", Spawn { string_is_shell: true }),
    ("spawn", Spawn { string_is_shell: true }),
    ("Process.spawn", Spawn { string_is_shell: true }),
    ("Process.exec", Spawn { string_is_shell: true }),
    ("IO.popen", ShellOrList),
    ("Open3.capture2", ShellOrList),
    ("Open3.capture2e", ShellOrList),
    ("Open3.capture3", ShellOrList),
    ("Open3.popen2", ShellOrList),
    ("Open3.popen2e", ShellOrList),
    ("Open3.popen3", ShellOrList),
    ("PTY.spawn", ShellOrList),
    ("open", Open),
    ("File.symlink", Link),
    ("FileUtils.ln_s", Link),
    ("FileUtils.ln_sf", Link),
    ("FileUtils.rm_rf", Delete { recursive: true }),
    ("FileUtils.rm_r", Delete { recursive: true }),
    ("FileUtils.rmtree", Delete { recursive: true }),
    ("FileUtils.remove_dir", Delete { recursive: true }),
    ("FileUtils.remove_entry", Delete { recursive: true }),
    ("FileUtils.remove_entry_secure", Delete { recursive: true }),
    (".rmtree", Delete { recursive: true }),
    ("File.delete", Delete { recursive: false }),
    ("File.unlink", Delete { recursive: false }),
    ("FileUtils.rm", Delete { recursive: false }),
    ("FileUtils.rm_f", Delete { recursive: false }),
    ("FileUtils.remove", Delete { recursive: false }),
    ("FileUtils.rmdir", Delete { recursive: false }),
    ("Dir.rmdir", Delete { recursive: false }),
    ("Dir.delete", Delete { recursive: false }),
    ("Dir.unlink", Delete { recursive: false }),
    ("File.write", Write { append: false }),
    ("IO.write", Write { append: false }),
    ("File.open", Open),
    ("IO.open", Open),
    ("File.new", Open),
    ("File.chmod", Chmod { mode_first: true, recursive: false }),
    ("FileUtils.chmod", Chmod { mode_first: true, recursive: false }),
    ("FileUtils.chmod_R", Chmod { mode_first: true, recursive: true }),
    ("File.chown", Chown { owner_first: true }),
    ("FileUtils.chown", Chown { owner_first: true }),
    ("FileUtils.chown_R", Chown { owner_first: true }),
    ("File.rename", Move),
    ("FileUtils.mv", Move),
    ("FileUtils.move", Move),
    ("FileUtils.cp", Copy { tree: false }),
    ("FileUtils.copy", Copy { tree: false }),
    ("FileUtils.cp_r", Copy { tree: true }),
    ("File.read", Read),
    ("IO.read", Read),
    ("File.readlines", Read),
    ("IO.readlines", Read),
    ("Process.kill", Kill { signal_first: true }),
    ("fork", Fork),
    ("Process.fork", Fork),
    ("exit", Wait),
    ("exit!", Wait),
    ("Process.exit", Wait),
    ("Process.wait", Wait),
    ("Process.waitpid", Wait),
    ("Process.wait2", Wait),
    ("Process.waitall", Wait),
    ("Process.detach", Wait),
    ("eval", Eval),
    ("instance_eval", Eval),
    ("class_eval", Eval),
    ("binding.eval", Eval),
    ("send", Opaque),
    ("public_send", Opaque),
    ("__send__", Opaque),
    ("method", Opaque),
    ("Object.const_get", Opaque),
    ("const_get", Opaque),
    ("Fiddle.dlopen", Opaque),
];

const PERL: Table = &[
    ("system", Spawn { string_is_shell: true }),
    ("exec", Spawn { string_is_shell: true }),
    ("readpipe", Shell),
    ("open", PerlOpen),
    ("unlink", Delete { recursive: false }),
    ("rmdir", Delete { recursive: false }),
    ("rmtree", Delete { recursive: true }),
    ("remove_tree", Delete { recursive: true }),
    ("File.Path.rmtree", Delete { recursive: true }),
    ("File.Path.remove_tree", Delete { recursive: true }),
    ("chmod", Chmod { mode_first: true, recursive: false }),
    ("chown", Chown { owner_first: true }),
    ("symlink", Link),
    ("rename", Move),
    ("move", Move),
    ("File.Copy.move", Move),
    ("copy", Copy { tree: false }),
    ("File.Copy.copy", Copy { tree: false }),
    ("kill", Kill { signal_first: true }),
    ("fork", Fork),
    ("wait", Wait),
    ("waitpid", Wait),
    ("exit", Wait),
    ("die", Wait),
    ("eval", Eval),
    ("do", Opaque),
    ("require", Opaque),
];

const PHP: Table = &[
    ("system", Shell),
    ("exec", Shell),
    ("shell_exec", Shell),
    ("passthru", Shell),
    ("popen", Shell),
    ("proc_open", ShellOrList),
    ("symlink", Link),
    ("pcntl_exec", ExecList { at: 0, argv0: false }),
    ("unlink", Delete { recursive: false }),
    ("rmdir", Delete { recursive: false }),
    ("file_put_contents", Write { append: false }),
    ("fopen", Open),
    ("chmod", Chmod { mode_first: false, recursive: false }),
    ("chown", Chown { owner_first: false }),
    ("rename", Move),
    ("copy", Copy { tree: false }),
    ("file_get_contents", Read),
    ("readfile", Read),
    ("file", Read),
    ("posix_kill", Kill { signal_first: false }),
    ("pcntl_fork", Fork),
    ("pcntl_wait", Wait),
    ("die", Wait),
    ("pcntl_waitpid", Wait),
    ("eval", Eval),
    ("assert", Eval),
    ("call_user_func", Opaque),
    ("call_user_func_array", Opaque),
    ("create_function", Opaque),
    ("preg_replace", Opaque),
    ("array_map", Opaque),
    ("array_walk", Opaque),
    ("array_filter", Opaque),
    ("forward_static_call", Opaque),
    ("usort", Opaque),
    ("register_shutdown_function", Opaque),
];

const LUA: Table = &[
    ("os.execute", Shell),
    ("io.popen", Shell),
    ("os.remove", Delete { recursive: false }),
    ("os.rename", Move),
    ("io.open", Open),
    ("io.lines", Read),
    ("io.output", Write { append: false }),
    ("load", Eval),
    ("loadstring", Eval),
    ("dofile", Opaque),
    ("require", Opaque),
    ("rawget", Opaque),
];

/// What calling `name` does in `lang`, if it is known to do anything guard judges.
pub(super) fn lookup(lang: Lang, name: &str) -> Option<Does> {
    let table = match lang {
        Lang::Python => PYTHON,
        Lang::JavaScript => JAVASCRIPT,
        Lang::Ruby => RUBY,
        Lang::Perl => PERL,
        Lang::Php => PHP,
        Lang::Lua => LUA,
    };
    // `Kernel.system`, `CORE::system`, `\system` and `builtins.open` name the same function.
    let name = name
        .strip_prefix("Kernel.")
        .or_else(|| name.strip_prefix("CORE."))
        .or_else(|| name.strip_prefix("CORE.GLOBAL."))
        .or_else(|| name.strip_prefix("builtins."))
        .or_else(|| name.strip_prefix("globalThis."))
        .or_else(|| name.strip_prefix('\\'))
        .unwrap_or(name);
    let found = |n: &str| table.iter().find(|(k, _)| *k == n).map(|(_, d)| *d);
    found(name).or_else(|| match lang {
        // `require('fs/promises')`, `fs-extra`, `node:fs` and `fs.promises` are all `fs`.
        Lang::JavaScript => name.strip_prefix("fs.promises.").and_then(|rest| found(&format!("fs.{rest}"))),
        _ => None,
    })
}

/// What calling a method on a path value does (`Path(p).unlink()`).
pub(super) fn method(lang: Lang, method: &str) -> Option<Does> {
    let table = match lang {
        Lang::Python => PYTHON,
        Lang::Ruby => RUBY,
        _ => return None,
    };
    table.iter().find(|(k, _)| k.strip_prefix('.') == Some(method)).map(|(_, d)| *d)
}

/// Calls that give the home directory.
pub(super) const HOME_CALLS: &[&str] =
    &["Path.home", "pathlib.Path.home", "os.homedir", "Dir.home", "Etc.getpwuid.dir", "Deno.homeDir"];

/// Calls that give the working directory.
pub(super) const CWD_CALLS: &[&str] = &[
    "os.getcwd",
    "os.getcwdb",
    "Path.cwd",
    "pathlib.Path.cwd",
    "process.cwd",
    "Dir.pwd",
    "Dir.getwd",
    "getcwd",
    "Deno.cwd",
    "cwd",
];

/// Calls that read one environment variable, named by their first argument.
pub(super) const ENV_CALLS: &[&str] = &[
    "os.getenv",
    "os.environ.get",
    "os.environ.__getitem__",
    "getenv",
    "ENV.fetch",
    "ENV.[]",
    "Deno.env.get",
    "process.env.get",
];

/// Calls that build a path from their arguments, joined by `/`.
pub(super) const PATH_CALLS: &[&str] = &[
    "os.path.join",
    "posixpath.join",
    "Path",
    "pathlib.Path",
    "PurePath",
    "pathlib.PurePath",
    "PosixPath",
    "os.path.abspath",
    "os.path.normpath",
    "os.path.realpath",
    "str",
    "os.fspath",
    "path.join",
    "path.resolve",
    "path.normalize",
    "String",
    "File.join",
    "File.absolute_path",
    "Pathname",
    "Pathname.new",
    "catfile",
    "File.Spec.catfile",
    "File.Spec.catdir",
    "realpath",
    "strval",
    "tostring",
];

/// Calls that expand a leading `~` in their first argument to the home directory.
pub(super) const TILDE_CALLS: &[&str] = &["os.path.expanduser", ".expanduser", "File.expand_path", "glob", "bsd_glob"];
