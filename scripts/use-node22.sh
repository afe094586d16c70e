# Sourced by ./run and .ci/run: puts a Node >= 22 first on PATH.
# Uses the system Node when it is new enough; otherwise installs node@22 from the npm registry
# into .tools/node22 (once) and uses that. npm then runs on it too, so engines checks and the
# lockfile never depend on an older system Node.
taskdrop_node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if [ "$(taskdrop_node_major)" -lt 22 ]; then
  taskdrop_tools="$(pwd)/.tools/node22"
  if [ ! -x "$taskdrop_tools/node_modules/.bin/node" ]; then
    echo "taskdrop: system Node is $(node --version 2>/dev/null || echo missing); installing Node 22 into .tools/node22..." >&2
    npm install --prefix "$taskdrop_tools" --no-audit --no-fund --no-save node@22 >&2
  fi
  export PATH="$taskdrop_tools/node_modules/.bin:$PATH"
fi
if [ "$(taskdrop_node_major)" -lt 22 ]; then
  echo "taskdrop: could not get Node 22 or newer; install it from https://nodejs.org and retry." >&2
  exit 1
fi
