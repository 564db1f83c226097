#!/usr/bin/env python3
"""Generate a realistic ``logs/`` folder of hestai-mcp-server / zen-mcp-server logs.

Usage:
    python3 samples/generate.py --out DIR [--seed N] [--scale S] [--manifest FILE]

Every line is built from the templates catalogued in /work/shared/LOG-FORMAT.md:

* server file  ``%(asctime)s - %(name)s - %(levelname)s - %(message)s``
* activity file ``%(asctime)s - %(message)s``
* timestamps   ``YYYY-MM-DD HH:MM:SS,mmm`` in naive local time.

How it works
------------
A small simulation runs one ``Proc`` object per server process (one per MCP
client session).  Each process has its own clock and appends *events* to a
shared ``Sim``: server records (one line, optionally followed by traceback
continuation lines), activity records (written to mcp_activity.log *and*
mirrored into mcp_server.log as ``mcp_activity - INFO - ...``, exactly as the
propagating ``mcp_activity`` logger does) and bare foreign lines (run-server.sh
banner, Claude Code's ``Failed to reconnect to hestai.``).  All events are then
sorted by time, so concurrent processes interleave the way they do when several
processes append to the same file, and the streams are cut into rotated
members in time order (oldest member = highest number).

The manifest (``--manifest``) is the generator's own ground truth, counted
while the files are written (not by re-reading them).

Everything is deterministic for a given --seed and --scale: all randomness
comes from one ``random.Random``; gzip members are written with mtime=0 and no
file name, so the output is byte-for-byte reproducible (with the same zlib).

Only the Python 3 standard library is used.  tests/bench/genlogs.py imports
this module for the benchmark data set (see ``bench_day_template``).
"""

import argparse
import calendar
import gzip
import json
import os
import random
import sys
import time

# ---------------------------------------------------------------------------
# Constants
# ---------------------------------------------------------------------------

REPO = "/Volumes/HestAI-Tools/hestai-mcp-server"   # checkout used in §5
SERVER_LOG = "mcp_server.log"
ACTIVITY_LOG = "mcp_activity.log"

SEC = 1000
MIN = 60 * SEC
HOUR = 60 * MIN
DAY = 24 * HOUR

GZIP_LEVEL = 6          # what logrotate's default `gzip` uses
DEFAULT_SEED = 20251210

# Bare line Claude Code prints for /mcp -> Reconnect (LOG-FORMAT §4).
RECONNECT_LINE = "Failed to reconnect to {name}.\n"

LOWLEVEL = "mcp.server.lowlevel.server"


def ms_at(y, mo, d, hh=0, mm=0, ss=0, ms=0):
    """Naive local time -> integer milliseconds (UTC arithmetic, no DST)."""
    return calendar.timegm((y, mo, d, hh, mm, ss, 0, 0, 0)) * 1000 + ms


class TsFormatter:
    """Format ms timestamps as ``YYYY-MM-DD HH:MM:SS,mmm`` (cached per second)."""

    def __init__(self):
        self._cache = {}

    def __call__(self, t):
        sec, ms = divmod(t, 1000)
        head = self._cache.get(sec)
        if head is None:
            head = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(sec))
            if len(self._cache) > 100000:
                self._cache.clear()
            self._cache[sec] = head
        return "%s,%03d" % (head, ms)


# ---------------------------------------------------------------------------
# The two server flavours (LOG-FORMAT §2, §3.2)
# ---------------------------------------------------------------------------

HESTAI_TOOLS = ['chat', 'clink', 'thinkdeep', 'planner', 'consensus', 'debug',
                'secaudit', 'analyze', 'tracer', 'challenge', 'critical-engineer',
                'testguard', 'apilookup', 'listmodels', 'version', 'clockin',
                'clockout', 'requestdoc', 'documentsubmit', 'contextupdate',
                'anchorsubmit']
ZEN_TOOLS = ['chat', 'clink', 'thinkdeep', 'planner', 'consensus', 'codereview',
             'precommit', 'debug', 'secaudit', 'docgen', 'analyze', 'refactor',
             'tracer', 'testgen', 'challenge', 'apilookup', 'listmodels', 'version']

FLAVORS = {
    'hestai': {
        'server_name': 'hestai-server',
        'banner': 'HestAI MCP Server starting up...',
        'venv': '.hestai_venv',
        'tools': HESTAI_TOOLS,
        'no_model': ['anchorsubmit', 'apilookup', 'challenge', 'clink', 'clockin',
                     'clockout', 'consensus', 'contextupdate', 'documentsubmit',
                     'listmodels', 'planner', 'requestdoc', 'tracer', 'version'],
        'model_mode': 'Model mode: AUTO (Claude will select the best model for each task)',
        # relative weights of randomly chosen tools (clockin/clockout are
        # placed at session start/end instead)
        'weights': {'chat': 22, 'thinkdeep': 6, 'debug': 6, 'analyze': 4,
                    'planner': 4, 'consensus': 2, 'secaudit': 2, 'tracer': 1,
                    'challenge': 3, 'critical-engineer': 5, 'testguard': 4,
                    'apilookup': 2, 'listmodels': 1, 'version': 1, 'clink': 3,
                    'requestdoc': 1, 'documentsubmit': 1, 'contextupdate': 2,
                    'anchorsubmit': 1},
    },
    'zen': {
        'server_name': 'zen-server',
        'banner': 'Zen MCP Server starting up...',
        'venv': '.zen_venv',
        'tools': ZEN_TOOLS,
        'no_model': ['apilookup', 'challenge', 'clink', 'consensus', 'docgen',
                     'listmodels', 'planner', 'tracer', 'version'],
        'model_mode': 'Model mode: AUTO (CLI will select the best model for each task)',
        'weights': {'chat': 22, 'thinkdeep': 6, 'debug': 6, 'analyze': 4,
                    'codereview': 5, 'precommit': 3, 'planner': 4, 'consensus': 2,
                    'refactor': 2, 'testgen': 2, 'docgen': 1, 'secaudit': 1,
                    'tracer': 1, 'challenge': 3, 'apilookup': 2, 'clink': 3,
                    'listmodels': 1, 'version': 1},
    },
}

# Tools implemented as multi-step workflows (step / step_number / ...).
WORKFLOW_TOOLS = ['thinkdeep', 'debug', 'analyze', 'secaudit', 'codereview',
                  'precommit', 'refactor', 'testgen', 'docgen', 'tracer',
                  'planner', 'consensus']

CATEGORY = {'chat': 'balanced', 'challenge': 'fast_response', 'testgen': 'balanced',
            'docgen': 'balanced'}          # everything else: extended_reasoning

WORKFLOW_KEYS = ['step', 'step_number', 'total_steps', 'next_step_required',
                 'findings', 'files_checked', 'relevant_files', 'relevant_context',
                 'issues_found', 'confidence', 'hypothesis', 'model', 'images',
                 'thinking_mode', 'use_assistant_model']
ARG_KEYS = {
    'chat': ['prompt', 'model', 'files', 'images', 'temperature', 'thinking_mode',
             'working_directory_absolute_path'],
    'planner': ['step', 'step_number', 'total_steps', 'next_step_required',
                'is_step_revision', 'revises_step_number', 'is_branch_point',
                'branch_id', 'more_steps_needed'],
    'consensus': ['step', 'step_number', 'total_steps', 'next_step_required',
                  'findings', 'models', 'relevant_files', 'current_model_index',
                  'model_responses'],
    'clockin': ['role', 'focus', 'working_dir', 'model'],
    'clockout': ['session_id', 'description', 'working_dir'],
    'listmodels': [], 'version': [],
    'challenge': ['prompt'], 'apilookup': ['prompt'],
    'clink': ['prompt', 'cli_name', 'role', 'files', 'images'],
    'critical-engineer': ['step', 'step_number', 'total_steps', 'next_step_required',
                          'findings', 'relevant_files', 'confidence', 'model',
                          'files_checked'],
    'testguard': ['prompt', 'files', 'model', 'thinking_mode', 'temperature'],
    'anchorsubmit': ['session_id', 'anchor', 'working_dir'],
    'requestdoc': ['request_type', 'content', 'working_dir'],
    'documentsubmit': ['type', 'content', 'working_dir', 'session_id'],
    'contextupdate': ['target', 'content', 'working_dir', 'session_id'],
}
ARG_RANGE = {'chat': (2, 4), 'planner': (6, 7), 'consensus': (7, 8), 'clockin': (4, 4),
             'clockout': (3, 3), 'listmodels': (0, 0), 'version': (0, 0),
             'challenge': (1, 1), 'apilookup': (1, 1), 'clink': (3, 4),
             'critical-engineer': (8, 9), 'testguard': (5, 5), 'anchorsubmit': (3, 3),
             'requestdoc': (3, 3), 'documentsubmit': (4, 4), 'contextupdate': (4, 4)}

HESTAI_MODELS = ['google/gemini-2.5-pro', 'google/gemini-2.5-flash', 'openai/gpt-5',
                 'anthropic/claude-sonnet-4.5', 'x-ai/grok-4', 'openai/o3']
ZEN_GEMINI_MODELS = ['gemini-2.5-pro', 'gemini-2.5-flash']
ZEN_OPENROUTER_MODELS = ['anthropic/claude-sonnet-4.5', 'openai/gpt-5', 'x-ai/grok-4']
CAPACITY = {'google/gemini-2.5-pro': 1048576, 'google/gemini-2.5-flash': 1048576,
            'gemini-2.5-pro': 1048576, 'gemini-2.5-flash': 1048576,
            'openai/gpt-5': 400000, 'anthropic/claude-sonnet-4.5': 200000,
            'x-ai/grok-4': 256000, 'openai/o3': 200000}

PROJECT_FILES = ['server.py', 'config.py', 'providers/registry.py',
                 'providers/openai_compatible.py', 'providers/openrouter.py',
                 'tools/chat.py', 'tools/debug.py', 'tools/workflow/workflow_mixin.py',
                 'utils/conversation_memory.py', 'utils/file_utils.py',
                 'utils/session_manager.py', 'tests/test_server.py',
                 'src/api/routes.py', 'src/api/auth.py', 'src/db/models.py',
                 'src/db/migrations/0042_add_ledger_index.py', 'src/workers/sync.py',
                 'README.md', 'docs/architecture.md', 'pyproject.toml']
PROJECTS = ['/Users/mara/Projects/ledger-api', '/Users/mara/Projects/hestai-mcp-server',
            '/Volumes/HestAI-Tools/hestai-mcp-server']

PROMPT_WORDS = ("the ledger sync worker retries every batch twice and the second "
                "retry races with the migration lock so rows are committed out of "
                "order review the transaction boundaries in sync.py and propose a "
                "fix that keeps idempotency keys stable across restarts also check "
                "whether the index added in 0042 covers the hot query path").split()

# Provider failures (exception text, exception class) per API flavour.
OPENROUTER_ERRORS = [
    ("Error code: 503 - {'error': {'message': 'Provider returned error', 'code': 503}}",
     'openai.InternalServerError', 503, 'Service Unavailable'),
    ("Error code: 429 - {'error': {'message': 'Rate limit exceeded: free-models-per-min.', 'code': 429}}",
     'openai.RateLimitError', 429, 'Too Many Requests'),
    ("Error code: 502 - {'error': {'message': 'Network connection lost.', 'code': 502}}",
     'openai.InternalServerError', 502, 'Bad Gateway'),
]
GEMINI_ERRORS = [
    ("503 UNAVAILABLE. {'error': {'code': 503, 'message': 'The model is overloaded. Please try again later.', 'status': 'UNAVAILABLE'}}",
     'google.genai.errors.ServerError', 503, 'Service Unavailable'),
    ("429 RESOURCE_EXHAUSTED. {'error': {'code': 429, 'message': 'You exceeded your current quota, please check your plan and billing details.', 'status': 'RESOURCE_EXHAUSTED'}}",
     'google.genai.errors.ClientError', 429, 'Too Many Requests'),
]
RETRY_DELAYS = [1, 3, 5]     # seconds before attempts 2, 3, 4


# ---------------------------------------------------------------------------
# Event store
# ---------------------------------------------------------------------------

class Sim:
    """Collects events from all processes.

    An event is a tuple ``(t_ms, seq, kind, text, cont, meta)``:
      kind 'S'  server record; text = "logger - LEVEL - message", cont = the
                continuation lines (traceback) or None
      kind 'A'  activity record; text = message (mirrored into the server file)
      kind 'B'  bare foreign lines for the server file; text ends in '\\n'
      kind 'T'  truncation marker: mcp_server.log was truncated here
    meta is None or a small tuple used for the manifest, e.g. ('pid', 805).
    """

    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.events = []
        self.seq = 0

    def add(self, t, kind, text, cont=None, meta=None):
        self.seq += 1
        self.events.append((t, self.seq, kind, text, cont, meta))

    # -- small random helpers -------------------------------------------
    def uuid(self):
        r = self.rng.getrandbits(128)
        h = '%032x' % r
        return '%s-%s-4%s-%x%s-%s' % (h[0:8], h[8:12], h[13:16],
                                      8 + (r >> 60 & 3), h[17:20], h[20:32])

    def addr(self):
        return '0x%x' % self.rng.randrange(0x104000000, 0x13fffffff, 16)


# ---------------------------------------------------------------------------
# One server process
# ---------------------------------------------------------------------------

class Proc:
    """One server process: its own clock, conversation store and log calls."""

    def __init__(self, sim, pid, flavor, t0, client=('claude-code', '2.0.65'),
                 keys=True):
        self.sim = sim
        self.rng = sim.rng
        self.pid = pid
        self.flavor = flavor
        self.f = FLAVORS[flavor]
        self.t = t0
        self.client = client
        self.keys = keys              # False: no API key configured -> never ready
        self.threads = {}             # conversation uuid -> turns (in-memory store)
        self.storage_ready = False
        self.connected = False        # httpx keep-alive connection open
        self.main = '__main__'
        self.session_id = None
        self.last_exc = None          # provider exception of the last failed request

    # -- primitive writers ----------------------------------------------
    def log(self, logger, level, msg, cont=None, meta=None, lo=0, hi=2):
        self.t += self.rng.randint(lo, hi)
        self.sim.add(self.t, 'S', '%s - %s - %s' % (logger, level, msg), cont, meta)

    def act(self, msg, meta=None, lo=0, hi=1):
        self.t += self.rng.randint(lo, hi)
        self.sim.add(self.t, 'A', msg, None, meta)

    def wait(self, lo, hi):
        self.t += self.rng.randint(lo, hi)

    # -- startup (§3.2) ---------------------------------------------------
    def startup(self, import_delay=(5, 30), drift=False):
        """Write the module-import and run() startup sequence.

        import_delay: extra ms between `Process PID` and `Initializing server`
        (slow imports from a sleeping external volume make a late start).
        With keys=False the sequence stops after the API-key checks, as when
        configure_providers() raises (traceback goes to stderr only).
        """
        m, f, rng = self.main, self.f, self.rng
        hestai = self.flavor == 'hestai'
        self.log('root', 'INFO', 'Logging to: %s/logs/%s' % (REPO, SERVER_LOG), lo=0, hi=0)
        self.log('root', 'INFO', 'Process PID: %d' % self.pid, meta=('pid', self.pid),
                 lo=0, hi=0)
        if not hestai:
            self.log(m, 'DEBUG', 'ZEN_MCP_FORCE_ENV_OVERRIDE disabled - system '
                     'environment variables take precedence')
        self.wait(*import_delay)
        self.log(LOWLEVEL, 'DEBUG', "Initializing server '%s'" % f['server_name'])
        if hestai:
            sm = 'utils.session_manager'
            for ws, err in [('/Users', 'perm'), ('/home', 'perm'), ('/tmp', None),
                            ('/var/tmp', None), ('/Volumes', 'perm'),
                            ('/opt', "[Errno 2] No such file or directory: '/opt'"),
                            ('/workspace', "[Errno 30] Read-only file system: '/workspace'")]:
                if err is None:
                    self.log(sm, 'INFO', 'Validated workspace: %s' % ws)
                    continue
                if err == 'perm':
                    self.log(sm, 'ERROR', 'Insufficient permissions for workspace: %s. '
                             'Read/Write required.' % ws)
                else:
                    self.log(sm, 'ERROR', 'Cannot access workspace %s: %s' % (ws, err))
                self.log(sm, 'WARNING', 'Could not validate workspace: %s' % ws)
            self.log(sm, 'INFO', "SessionManager initialized with workspaces: "
                     "['/private/tmp', '/private/var/tmp']")
        self.wait(8, 14)
        for cli in ['claude', 'codex', 'gemini']:
            self.log('clink.registry', 'DEBUG', "Loaded CLI configuration for '%s' from "
                     "%s/conf/cli_clients/%s.json" % (cli, REPO, cli))
        if hestai:
            if drift:
                self.log(m, 'WARNING', '⚠️  Configuration drift detected: '
                         'docs/tools/anchorsubmit.md is not in the tool registry')
            else:
                self.log(m, 'DEBUG', '✓ Tool documentation in sync with registry')
        self.log(m, 'INFO', 'All tools enabled (DISABLED_TOOLS not set)', lo=4, hi=9)
        for req in ['ListToolsRequest', 'CallToolRequest', 'PromptListRequest',
                    'GetPromptRequest']:
            self.log(LOWLEVEL, 'DEBUG', 'Registering handler for %s' % req, lo=0, hi=1)
        self.log('asyncio', 'DEBUG', 'Using selector: KqueueSelector', lo=6, hi=12)
        # configure_providers()
        self.log(m, 'DEBUG', 'Checking environment variables for API keys...')
        present = {'OPENAI_API_KEY': False, 'OPENROUTER_API_KEY': self.keys,
                   'GEMINI_API_KEY': self.keys and not hestai, 'XAI_API_KEY': False,
                   'CUSTOM_API_URL': False}
        for k, v in present.items():
            self.log(m, 'DEBUG', '  %s: %s' % (k, '[PRESENT]' if v else '[MISSING]'), lo=0, hi=0)
        self.log(m, 'DEBUG', 'OpenAI key check: key=[MISSING]', lo=0, hi=0)
        self.log(m, 'DEBUG', 'OpenAI API key not found in environment', lo=0, hi=0)
        self.log(m, 'DEBUG', 'OpenRouter key check: key=[%s]'
                 % ('PRESENT' if self.keys else 'MISSING'), lo=0, hi=0)
        if not self.keys:
            return None           # ValueError escapes run(): nothing more is logged
        if hestai:
            self.log(m, 'INFO', 'OpenRouter API key found - Multiple models available via OpenRouter')
            self.log(m, 'INFO', 'Available providers: OpenRouter')
        else:
            self.log(m, 'INFO', 'Gemini API key found - Gemini models available')
            self.log(m, 'INFO', 'OpenRouter API key found - Multiple models available via OpenRouter')
            self.log(m, 'DEBUG', 'Registered provider: google')
            self.log(m, 'DEBUG', 'Registered provider: openrouter')
            self.log(m, 'INFO', 'Registered providers: google, openrouter')
            self.log(m, 'INFO', 'Available providers: Gemini, OpenRouter')
            self.log(m, 'INFO', 'Provider priority: Native APIs (Gemini, OpenAI) → '
                     'OpenRouter (catch-all)')
        for env, prov in [('OPENAI', 'openai'), ('GOOGLE', 'google'), ('XAI', 'xai'),
                          ('OPENROUTER', 'openrouter'), ('DIAL', 'dial')]:
            self.log('utils.model_restrictions', 'DEBUG', '%s_ALLOWED_MODELS not set or '
                     'empty - all %s models allowed' % (env, prov), lo=0, hi=0)
        self.log(m, 'INFO', 'No model restrictions configured - all models allowed')
        self.log('root', 'DEBUG', 'REGISTRY: Creating new registry instance', lo=2, hi=5)
        self.log('root', 'DEBUG', 'REGISTRY: Created instance <providers.registry.'
                 'ModelProviderRegistry object at %s>' % self.sim.addr(), lo=0, hi=0)
        self.log('root', 'INFO', 'OpenRouter loaded 52 models with 164 aliases', lo=4, hi=8)
        self.log(m, 'INFO', f['banner'])
        self.log(m, 'INFO', 'Log level: DEBUG', lo=0, hi=0)
        if hestai:
            self.log(m, 'INFO', 'Session manager initialized with 2 allowed workspaces', lo=0, hi=0)
            self.log(m, 'INFO', 'Session timeout: 3600 seconds', lo=0, hi=0)
            self.log(m, 'INFO', 'Max sessions: 1000', lo=0, hi=0)
        self.log(m, 'INFO', f['model_mode'], lo=0, hi=0)
        self.log(m, 'INFO', 'Default thinking mode (ThinkDeep): high', lo=0, hi=0)
        self.log(m, 'INFO', 'Available tools: %r' % (f['tools'],), lo=0, hi=0)
        if hestai:
            self.log(m, 'INFO', 'Session manager cleanup task started', lo=0, hi=1)
        self.log(m, 'INFO', 'Server ready - waiting for tool requests...',
                 meta=('ready', self.pid), lo=0, hi=1)
        return self.t

    def handshake(self):
        """initialize/tools-list/prompts-list exchange after the client connects."""
        m, name, ver = self.main, self.client[0], self.client[1]
        friendly = 'Gemini' if name.startswith('gemini') else 'Claude'
        self.wait(150, 400)
        self.log(LOWLEVEL, 'DEBUG', "Received message: root=InitializedNotification("
                 "method='notifications/initialized', params=None, jsonrpc='2.0')")
        self.request_begin('ListToolsRequest')
        self.log(m, 'DEBUG', 'MCP client requested tool list')
        self.log('utils.client_info', 'DEBUG', "Cached client info: {'name': '%s', "
                 "'version': '%s', 'friendly_name': '%s'}" % (name, ver, friendly))
        self.log(m, 'INFO', 'MCP Client Connected: %s' % friendly)
        self.act('MCP_CLIENT_INFO: %s (raw=%s v%s)' % (friendly, name, ver))
        self.log(m, 'DEBUG', 'Returning %d tools to MCP client' % len(self.f['tools']),
                 lo=3, hi=9)
        self.log(LOWLEVEL, 'DEBUG', 'Response sent')
        self.wait(20, 80)
        self.request_begin('ListPromptsRequest')
        self.log(m, 'DEBUG', 'MCP client requested prompt list')
        self.log(m, 'DEBUG', 'Returning %d prompts to MCP client' % len(self.f['tools']))
        self.log(LOWLEVEL, 'DEBUG', 'Response sent')

    def request_begin(self, kind):
        self.log(LOWLEVEL, 'DEBUG', 'Received message: <mcp.shared.session.'
                 'RequestResponder object at %s>' % self.sim.addr())
        self.log(LOWLEVEL, 'INFO', 'Processing request of type %s' % kind, lo=0, hi=1)
        self.log(LOWLEVEL, 'DEBUG', 'Dispatching request of type %s' % kind, lo=0, hi=1)

    def shutdown(self):
        """Clean stdin-EOF exit (§3.5)."""
        self.log('root', 'DEBUG', 'Read stream closed by client', lo=0, hi=3)
        if self.flavor == 'hestai':
            self.log('utils.session_manager', 'INFO', 'Cleanup task cancelled.', lo=1, hi=4)

    # -- tool calls (§3.3) ------------------------------------------------
    def arg_keys(self, tool, nargs=None, cont=False):
        if tool in ARG_KEYS:
            keys = list(ARG_KEYS[tool])
            lo, hi = ARG_RANGE.get(tool, (len(keys), len(keys)))
        else:
            keys = list(WORKFLOW_KEYS)
            lo, hi = 8, 11
        n = nargs if nargs is not None else self.rng.randint(lo, hi)
        n = min(n, len(keys) + (1 if cont else 0))
        if cont:
            keys = keys[:max(n - 1, 0)] + ['continuation_id']
        else:
            keys = keys[:n]
        return keys

    def call(self, tool, cont=None, outcome='ok', nargs=None, project_root=None,
             step=None, steps=None, new_thread=True):
        """One tools/call request.

        cont:    continuation_id (uuid) passed by the client, or None
        outcome: 'ok' | 'retry' (one provider retry, then success) |
                 'fail' (provider exhausts 4 attempts) | 'error' (a tool bug
                 logged with a traceback)
        step/steps: workflow step number / total (workflow tools)
        Returns the conversation uuid used or created (or None).
        """
        m, rng, hestai = self.main, self.rng, self.flavor == 'hestai'
        keys = self.arg_keys(tool, nargs, cont is not None)
        self.request_begin('CallToolRequest')
        self.log(m, 'INFO', 'MCP tool call: %s' % tool)
        self.log(m, 'DEBUG', 'MCP tool arguments: %r' % (keys,), lo=0, hi=0)
        self.act('TOOL_CALL: %s with %d arguments' % (tool, len(keys)),
                 meta=('tool_call', tool), lo=0, hi=0)
        if hestai:
            if project_root:
                sid = self.sim.uuid()[:8]
                self.session_id = sid
                self.log(m, 'INFO', 'Using session %s for project %s' % (sid, project_root))
                self.log('utils.session_manager', 'INFO', 'Created session %s for project %s'
                         % (sid, project_root), lo=0, hi=1)
            else:
                self.log(m, 'DEBUG', 'No project_root provided for %s, using legacy mode' % tool)
        turns = None
        if cont is not None:
            self.log(m, 'DEBUG', 'Resuming conversation thread: %s' % cont)
            self.act('CONVERSATION_RESUME: %s resuming thread %s' % (tool, cont))
            if cont not in self.threads:
                # Threads live in memory only: gone after a restart (§2, §3.4).
                self.log(m, 'WARNING', 'Thread not found: %s' % cont, meta=('thread_nf',),
                         lo=0, hi=1)
                self.act('CONVERSATION_ERROR: Thread %s not found or expired' % cont,
                         meta=('conv_error',), lo=0, hi=0)
                self.log(LOWLEVEL, 'DEBUG', 'Response sent', lo=1, hi=3)
                return None
            turns = self.threads[cont]
            self.conversation_debug(tool, cont, turns)
            self.log(m, 'INFO', 'Reconstructed context for thread %s (turn %d)' % (cont, turns),
                     lo=2, hi=8)
            self.act('CONVERSATION_CONTINUATION: Thread %s turn %d - %d previous turns '
                     'loaded' % (cont, turns, turns))
        nparams = len(keys) + (1 if hestai else 0)
        self.log(m, 'INFO', "Executing tool '%s' with %d parameter(s)" % (tool, nparams))
        if tool in self.f['no_model']:
            self.log(m, 'DEBUG', "Tool %s doesn't require model resolution - skipping "
                     "model validation" % tool, lo=0, hi=1)
            thread = self.no_model_body(tool, outcome, cont)
            self.log(LOWLEVEL, 'DEBUG', 'Response sent', lo=1, hi=4)
            return thread
        # -- model-backed tool ----------------------------------------------
        model, provider = self.pick_model(tool)
        self.log(m, 'DEBUG', 'Initial model for %s: auto' % tool)
        if not hestai:
            self.log(m, 'INFO', "Parsed model format - model: 'auto'", lo=0, hi=0)
        self.log(m, 'INFO', 'Auto mode resolved to %s for %s (category: %s)'
                 % (model, tool, CATEGORY.get(tool, 'extended_reasoning')))
        if hestai and tool in ('testguard', 'critical-engineer') and model != 'google/gemini-2.5-pro':
            self.log(m, 'INFO', 'Overriding model for %s: %s → google/gemini-2.5-pro (only '
                     'high-quality models allowed)' % (tool, model))
            model = 'google/gemini-2.5-pro'
        self.log(m, 'DEBUG', 'Model context created for %s with %d token capacity'
                 % (model, CAPACITY.get(model, 200000)))
        files = rng.sample(PROJECT_FILES, rng.randint(0, 4)) if 'files' in keys or tool in WORKFLOW_TOOLS else []
        if files:
            self.log(m, 'DEBUG', 'Checking file sizes for %d files with model %s' % (len(files), model))
            self.log('utils.file_utils', 'INFO', "File size check: Using model '%s' for "
                     "token limit calculation" % model)
        thread = cont
        completed = True
        if tool in WORKFLOW_TOOLS:
            completed, thread = self.workflow_body(tool, model, provider, outcome, cont,
                                                   files, step, steps)
        else:
            completed, thread = self.simple_body(tool, model, provider, outcome, cont,
                                                 files, keys, new_thread)
        if completed:
            self.log(m, 'INFO', "Tool '%s' execution completed" % tool, lo=0, hi=2)
            self.act('TOOL_COMPLETED: %s' % tool, lo=0, hi=0)
        self.log(LOWLEVEL, 'DEBUG', 'Response sent', lo=0, hi=2)
        return thread

    def pick_model(self, tool):
        rng = self.rng
        if self.flavor == 'hestai':
            if tool in ('chat', 'challenge'):
                return rng.choice(['google/gemini-2.5-flash', 'google/gemini-2.5-pro',
                                   'anthropic/claude-sonnet-4.5']), 'openrouter'
            return rng.choice(HESTAI_MODELS), 'openrouter'
        if rng.random() < 0.75:
            return rng.choice(ZEN_GEMINI_MODELS), 'google'
        return rng.choice(ZEN_OPENROUTER_MODELS), 'openrouter'

    def conversation_debug(self, tool, cont, turns):
        """[CONVERSATION_DEBUG] block written while rebuilding a thread."""
        m = self.main
        self.log(m, 'DEBUG', '[CONVERSATION_DEBUG] Token budget calculation:', lo=1, hi=4)
        cap = 1048576
        conv = self.rng.randint(2000, 60000)
        self.log(m, 'DEBUG', '  Model: google/gemini-2.5-pro', lo=0, hi=0)
        self.log(m, 'DEBUG', '  Total capacity: {:,}'.format(cap), lo=0, hi=0)
        self.log(m, 'DEBUG', '  Content allocation: {:,}'.format(cap * 8 // 10), lo=0, hi=0)
        self.log(m, 'DEBUG', '  Conversation tokens: {:,}'.format(conv), lo=0, hi=0)
        self.log(m, 'DEBUG', '  Remaining tokens: {:,}'.format(cap * 8 // 10 - conv), lo=0, hi=0)

    def new_thread(self, turns=1):
        if not self.storage_ready:
            self.storage_ready = True
            self.log('utils.storage_backend', 'INFO', 'In-memory storage initialized with '
                     '3h timeout, cleanup every 18m')
            self.log('utils.conversation_memory', 'INFO',
                     'Initialized in-memory conversation storage', lo=0, hi=0)
        u = self.sim.uuid()
        self.threads[u] = turns
        self.log('utils.conversation_memory', 'DEBUG',
                 '[THREAD] Created new thread %s with parent None' % u)
        return u

    def simple_body(self, tool, model, provider, outcome, cont, files, keys, new_thread):
        """SimpleTool.execute: chat, challenge-like and hestai reviewer tools."""
        lg = 'tools.%s' % tool
        rng, hestai = self.rng, self.flavor == 'hestai'
        extra = (['_execution_context'] if hestai else []) + ['_model_context',
                                                              '_resolved_model_name']
        self.log(lg, 'INFO', '🔧 %s tool called with arguments: %r' % (tool, keys + extra),
                 lo=2, hi=6)
        self.log(lg, 'DEBUG', 'Request validation successful for %s' % tool)
        if cont is None:
            thread = self.new_thread(2) if new_thread else None
        else:
            thread = cont
        if files:
            self.log(lg, 'INFO', '[FILE_PROCESSING] %s tool will embed new files: %s'
                     % (tool, ', '.join(files)))
        elif cont is not None:
            self.log(lg, 'INFO', '[FILE_PROCESSING] %s tool: No new files to embed '
                     '(all files already in conversation history)' % tool)
        self.log(lg, 'INFO', 'Sending request to %s API for %s' % (provider, tool), lo=3, hi=20)
        self.log(lg, 'INFO', 'Using model: %s via %s provider' % (model, provider), lo=0, hi=0)
        chars = rng.randint(900, 60000)
        self.log(lg, 'DEBUG', 'Prompt length: %d characters (~%d tokens)' % (chars, chars // 4))
        ok, err = self.provider_call(model, provider, outcome, chars)
        if ok:
            self.log(lg, 'INFO', 'Received response from %s API for %s' % (provider, tool),
                     lo=2, hi=12)
            self.log(lg, 'INFO', '✅ %s tool completed successfully' % tool, lo=0, hi=1)
            if thread in self.threads:
                self.threads[thread] += 2
            return True, thread
        # Provider gave up (§3.4): tool-level error.
        self.log(lg, 'ERROR', 'Error in %s: %s' % (tool, err), lo=0, hi=1)
        if hestai:
            return True, thread          # hestai returns an error payload -> TOOL_COMPLETED
        self.log(lg, 'ERROR', '%s reported error status - raising ToolExecutionError' % tool,
                 lo=0, hi=1)
        return False, thread             # zen raises ToolExecutionError -> no TOOL_COMPLETED

    def workflow_body(self, tool, model, provider, outcome, cont, files, step, steps):
        """Workflow tools: intermediate steps are local, the last step consults a model."""
        wm = 'tools.workflow.workflow_mixin'
        rng, hestai = self.rng, self.flavor == 'hestai'
        step = step or 1
        steps = steps or 1
        thread = cont if cont is not None else self.new_thread(1)
        if files:
            self.log(wm, 'INFO', '[WORKFLOW_FILES] %s: Referenced %d files without '
                     'embedding content' % (tool, len(files)))
        if outcome == 'error':
            # A bug in the workflow: logged with a traceback (§3.4 table).
            err = "'NoneType' object has no attribute 'lower'"
            self.log(wm, 'ERROR', 'Error in %s work: %s' % (tool, err),
                     cont=tb_workflow(tool), meta=('tb',), lo=1, hi=5)
            return hestai, thread        # hestai returns an error payload, zen raises
        if step < steps:
            self.threads[thread] = self.threads.get(thread, 0) + 1
            return True, thread
        # Final step: expert analysis with the model.
        self.wait(2, 8)
        chars = rng.randint(8000, 120000)
        ok, err = self.provider_call(model, provider, outcome, chars)
        if ok:
            if rng.random() < 0.15:
                self.log(wm, 'INFO', '[%s] Expert analysis returned non-JSON response (this '
                         'is OK for smaller models). Parse error: Expecting value: line 1 '
                         'column 1 (char 0)' % tool, lo=2, hi=6)
            self.threads[thread] = self.threads.get(thread, 0) + 1
            return True, thread
        # Swallowed: error dict returned, TOOL_COMPLETED still follows.
        self.log(wm, 'ERROR', 'Error calling expert analysis: %s' % err,
                 cont=tb_provider_chain(self.flavor, provider, model, err, self.last_exc,
                                        '_call_expert_analysis'),
                 meta=('tb',), lo=0, hi=2)
        return True, thread

    def no_model_body(self, tool, outcome, cont):
        """Tools that skip model resolution never log TOOL_COMPLETED (§2)."""
        rng = self.rng
        if tool == 'consensus':
            # consensus consults models itself, one per stance
            models = rng.sample(HESTAI_MODELS if self.flavor == 'hestai' else ZEN_OPENROUTER_MODELS, 2)
            for mdl in models:
                ok, err = self.provider_call(mdl, 'openrouter',
                                             outcome if mdl == models[-1] else 'ok',
                                             rng.randint(4000, 30000))
                if not ok:
                    self.log('tools.consensus', 'ERROR', "Error consulting model {'model': "
                             "'%s', 'stance': 'against'}" % mdl,
                             cont=tb_provider_chain(self.flavor, 'openrouter', mdl, err,
                                                    self.last_exc, '_consult_model'),
                             meta=('tb',), lo=0, hi=2)
            return cont
        if tool == 'clink' and outcome == 'error':
            self.log('tools.clink', 'ERROR', 'Failed to prepare clink prompt',
                     cont=tb_clink(), meta=('tb',), lo=1, hi=4)
            return cont
        if tool == 'contextupdate' and outcome == 'error':
            path = '%s/.hestai/context/PROJECT-CONTEXT.md' % rng.choice(PROJECTS)
            err = "[Errno 13] Permission denied: '%s'" % path
            self.log('tools.contextupdate', 'ERROR', 'Error in context_update: %s' % err,
                     cont=tb_contextupdate(path, err), meta=('tb',), lo=1, hi=4)
            return cont
        self.wait(2, 40)
        return cont

    # -- provider call with retries (§3.3 third-party lines, §3.4) -----
    def provider_call(self, model, provider, outcome, chars):
        """Simulate one provider request.  Returns (ok, final_error_message)."""
        rng, hestai = self.rng, self.flavor == 'hestai'
        gemini = provider == 'google'
        pool = GEMINI_ERRORS if gemini else OPENROUTER_ERRORS
        fails = {'ok': 0, 'error': 0, 'retry': rng.randint(1, 2), 'fail': 4}[outcome]
        exc = rng.choice(pool)
        self.last_exc = exc
        for attempt in range(1, 5):
            failed = attempt <= fails
            self.http_exchange(model, provider, chars, exc if failed else None)
            if not failed:
                return True, None
            if attempt == 4:
                break
            delay = RETRY_DELAYS[attempt - 1]
            if hestai:
                self.log('root', 'WARNING', 'OpenRouter error for model %s, attempt %d/4: '
                         '%s. Retrying in %ds...' % (model, attempt, exc[0], delay),
                         meta=('retry',), lo=0, hi=2)
            else:
                name = 'Gemini API' if gemini else 'OpenRouter API'
                self.log('providers.base', 'WARNING', '%s (%s) retryable error (attempt '
                         '%d/4): %s. Retrying in %ds...' % (name, model, attempt, exc[0], delay),
                         meta=('retry',), lo=0, hi=2)
            self.wait(delay * 1000, delay * 1000 + 40)
        if gemini:
            msg = 'Gemini API error for model %s after 4 attempts: %s' % (model, exc[0])
        else:
            msg = 'OpenRouter API error for model %s after 4 attempts: %s' % (model, exc[0])
            if hestai:       # zen raises without logging; hestai logs through root
                self.log('root', 'ERROR', msg, lo=0, hi=2)
        return False, msg

    def http_exchange(self, model, provider, chars, exc):
        """httpx/httpcore/openai DEBUG noise around one HTTP request."""
        rng = self.rng
        gemini = provider == 'google'
        host = 'generativelanguage.googleapis.com' if gemini else 'openrouter.ai'
        if gemini:
            url = 'https://%s/v1beta/models/%s:generateContent' % (host, model)
            self.log('google_genai.models', 'INFO', 'AFC is enabled with max remote calls: 10.')
        else:
            url = 'https://openrouter.ai/api/v1/chat/completions'
            self.log('openai._base_client', 'DEBUG', 'Request options: %s'
                     % request_options(rng, model, chars), lo=1, hi=3)
            self.log('openai._base_client', 'DEBUG', 'Sending HTTP Request: POST %s' % url,
                     lo=0, hi=1)
        hc, h11 = 'httpcore.connection', 'httpcore.http11'
        if not self.connected or rng.random() < 0.3:
            self.connected = True
            self.log(hc, 'DEBUG', "connect_tcp.started host='%s' port=443 local_address=None "
                     "timeout=300.0 socket_options=None" % host)
            self.log(hc, 'DEBUG', 'connect_tcp.complete return_value=<httpcore._backends.sync.'
                     'SyncStream object at %s>' % self.sim.addr(), lo=8, hi=40)
            self.log(hc, 'DEBUG', "start_tls.started ssl_context=<ssl.SSLContext object at %s> "
                     "server_hostname='%s' timeout=300.0" % (self.sim.addr(), host))
            self.log(hc, 'DEBUG', 'start_tls.complete return_value=<httpcore._backends.sync.'
                     'SyncStream object at %s>' % self.sim.addr(), lo=10, hi=50)
        for ev in ('send_request_headers', 'send_request_body'):
            self.log(h11, 'DEBUG', "%s.started request=<Request [b'POST']>" % ev, lo=0, hi=1)
            self.log(h11, 'DEBUG', '%s.complete' % ev, lo=0, hi=2)
        self.log(h11, 'DEBUG', "receive_response_headers.started request=<Request [b'POST']>",
                 lo=0, hi=1)
        # model latency
        if exc is None:
            self.wait(1500 + chars // 20, 6000 + chars // 4)
            code, reason = 200, 'OK'
        else:
            self.wait(200, 9000)
            code, reason = exc[2], exc[3]
        date = time.strftime('%a, %d %b %Y %H:%M:%S GMT', time.gmtime(self.t // 1000))
        ray = '%016x-LHR' % rng.getrandbits(64)
        self.log(h11, 'DEBUG', "receive_response_headers.complete return_value=(b'HTTP/1.1', "
                 "%d, b'%s', [(b'Date', b'%s'), (b'Content-Type', b'application/json'), "
                 "(b'Transfer-Encoding', b'chunked'), (b'Connection', b'keep-alive'), "
                 "(b'Access-Control-Allow-Origin', b'*'), (b'Vary', b'Accept-Encoding'), "
                 "(b'Server', b'cloudflare'), (b'CF-RAY', b'%s'), (b'Content-Encoding', "
                 "b'gzip')])" % (code, reason, date, ray), lo=0, hi=0)
        self.log('httpx', 'INFO', 'HTTP Request: POST %s "HTTP/1.1 %d %s"' % (url, code, reason),
                 lo=0, hi=1)
        for ev in ('receive_response_body', 'response_closed'):
            self.log(h11, 'DEBUG', "%s.started request=<Request [b'POST']>" % ev
                     if ev == 'receive_response_body' else '%s.started' % ev, lo=0, hi=30)
            self.log(h11, 'DEBUG', '%s.complete' % ev, lo=0, hi=1)
        if not gemini:
            self.log('openai._base_client', 'DEBUG', 'HTTP Response: POST %s "%d %s" '
                     "Headers({'date': '%s', 'content-type': 'application/json', "
                     "'transfer-encoding': 'chunked', 'connection': 'keep-alive', "
                     "'access-control-allow-origin': '*', 'vary': 'Accept-Encoding', "
                     "'server': 'cloudflare', 'cf-ray': '%s', 'content-encoding': 'gzip'})"
                     % (url, code, reason, date, ray), lo=0, hi=1)
            self.log('openai._base_client', 'DEBUG', 'request_id: None', lo=0, hi=0)
            if exc is not None and rng.random() < 0.5:
                # the openai client's own (inner) retry, logged at INFO
                self.log('openai._base_client', 'INFO', 'Retrying request to /chat/completions '
                         'in %.6f seconds' % rng.uniform(0.38, 0.95), lo=0, hi=1)


def request_options(rng, model, chars):
    """The openai client's `Request options:` dict (contains the prompt text)."""
    words = rng.randint(12, 60)
    if rng.random() < 0.004:
        words = 4000           # occasionally a huge prompt -> a very long line
    text = ' '.join(rng.choice(PROMPT_WORDS) for _ in range(words))
    return ("{'method': 'post', 'url': '/chat/completions', 'files': None, "
            "'idempotency_key': 'stainless-python-retry-%08x-%04x', 'json_data': "
            "{'messages': [{'role': 'system', 'content': '\\nROLE\\nYou are a senior "
            "engineering thought-partner collaborating with another AI agent.\\n'}, "
            "{'role': 'user', 'content': '=== USER REQUEST ===\\n%s\\n=== END REQUEST ==="
            "'}], 'model': '%s', 'stream': False, 'temperature': 0.5}}"
            % (rng.getrandbits(32), rng.getrandbits(16), text, model))


# ---------------------------------------------------------------------------
# Tracebacks (continuation lines without a timestamp, §3.4 / §5.1)
# ---------------------------------------------------------------------------

def _frame(path, line, func, code, col=None, width=None):
    s = '  File "%s", line %d, in %s\n    %s\n' % (path, line, func, code)
    if col is not None:
        s += '    ' + ' ' * col + '^' * width + '\n'
    return s


def tb_provider_chain(flavor, provider, model, final_msg, exc, caller):
    """Chained traceback: provider exception, then RuntimeError(...) from it."""
    venv = FLAVORS[flavor]['venv']
    site = '%s/%s/lib/python3.12/site-packages' % (REPO, venv)
    if provider == 'google':
        first = ('Traceback (most recent call last):\n'
                 + _frame(REPO + '/providers/gemini.py', 312, 'generate_content',
                          'response = self.client.models.generate_content(', 15, 36)
                 + _frame(site + '/google/genai/models.py', 5875, 'generate_content',
                          'response = self._generate_content(', 15, 23)
                 + _frame(site + '/google/genai/_api_client.py', 1105, '_request',
                          'errors.APIError.raise_for_response(response)')
                 + _frame(site + '/google/genai/errors.py', 108, 'raise_for_response',
                          'raise ServerError(status_code, response_json, response)')
                 + '%s: %s\n' % (exc[1], exc[0]))
        raiser = _frame(REPO + '/providers/gemini.py', 401, 'generate_content',
                        'raise RuntimeError(error_msg) from last_exception')
    else:
        first = ('Traceback (most recent call last):\n'
                 + _frame(REPO + '/providers/openai_compatible.py', 504, 'generate_content',
                          'response = self.client.chat.completions.create(**completion_params)',
                          11, 58)
                 + _frame(site + '/openai/_utils/_utils.py', 286, 'wrapper',
                          'return func(*args, **kwargs)', 7, 21)
                 + _frame(site + '/openai/resources/chat/completions/completions.py', 1147,
                          'create', 'return self._post(', 7, 11)
                 + _frame(site + '/openai/_base_client.py', 1259, 'post',
                          'return cast(ResponseT, self.request(cast_to, opts, stream=stream, '
                          'stream_cls=stream_cls))', 23, 65)
                 + _frame(site + '/openai/_base_client.py', 1047, 'request',
                          'raise self._make_status_error_from_response(err.response) from None')
                 + '%s: %s\n' % (exc[1], exc[0]))
        raiser = _frame(REPO + '/providers/openai_compatible.py', 547, 'generate_content',
                        'raise RuntimeError(error_msg) from last_exception')
    if caller == '_call_expert_analysis':
        top = _frame(REPO + '/tools/workflow/workflow_mixin.py', 1468, '_call_expert_analysis',
                     'model_response = provider.generate_content(', 17, 26)
    else:
        top = _frame(REPO + '/tools/consensus.py', 655, '_consult_model',
                     'response = provider.generate_content(', 11, 26)
    return (first
            + '\nThe above exception was the direct cause of the following exception:\n\n'
            + 'Traceback (most recent call last):\n' + top + raiser
            + 'RuntimeError: %s\n' % final_msg)


def tb_workflow(tool):
    return ('Traceback (most recent call last):\n'
            + _frame(REPO + '/tools/workflow/workflow_mixin.py', 742, 'execute_workflow',
                     'self.handle_work_continuation(response_data, request)')
            + _frame(REPO + '/tools/workflow/workflow_mixin.py', 1123,
                     'handle_work_continuation',
                     'response_data["next_steps"] = self.get_step_guidance_message(request)',
                     34, 39)
            + _frame(REPO + '/tools/%s.py' % tool.replace('-', '_'), 418,
                     'get_step_guidance_message',
                     'confidence = request.confidence.lower()', 17, 25)
            + "AttributeError: 'NoneType' object has no attribute 'lower'\n")


PYLIB = ('/opt/homebrew/Cellar/python@3.12/3.12.8/Frameworks/Python.framework/'
         'Versions/3.12/lib/python3.12')


def tb_clink():
    missing = REPO + '/systemprompts/clink/codereviewer.txt'
    return ('Traceback (most recent call last):\n'
            + _frame(REPO + '/tools/clink.py', 187, 'execute',
                     'prompt_text = await self._prepare_prompt_for_role(request, role_config)',
                     18, 57)
            + _frame(REPO + '/tools/clink.py', 262, '_prepare_prompt_for_role',
                     'role_prompt = role_config.prompt_path.read_text(encoding="utf-8")', 18, 51)
            + _frame(PYLIB + '/pathlib.py', 1029, 'read_text',
                     "with self.open(mode='r', encoding=encoding, errors=errors) as f:", 9, 55)
            + _frame(PYLIB + '/pathlib.py', 1015, 'open',
                     'return io.open(self, mode, buffering, encoding, errors, newline)', 11, 57)
            + "FileNotFoundError: [Errno 2] No such file or directory: '%s'\n" % missing)


def tb_contextupdate(path, err):
    return ('Traceback (most recent call last):\n'
            + _frame(REPO + '/tools/contextupdate.py', 233, 'execute',
                     'result = self._apply_update(target_path, request.content)', 13, 45)
            + _frame(REPO + '/tools/contextupdate.py', 301, '_apply_update',
                     'target_path.write_text(merged, encoding="utf-8")')
            + _frame(PYLIB + '/pathlib.py', 1047, 'write_text',
                     "with self.open(mode='w', encoding=encoding, errors=errors, "
                     "newline=newline) as f:", 9, 72)
            + _frame(PYLIB + '/pathlib.py', 1015, 'open',
                     'return io.open(self, mode, buffering, encoding, errors, newline)', 11, 57)
            + 'PermissionError: %s\n' % err)


# ---------------------------------------------------------------------------
# run-server.sh banner (bare lines with raw ANSI escapes, §1.3)
# ---------------------------------------------------------------------------

GREEN, YELLOW, NC = '\x1b[0;32m', '\x1b[1;33m', '\x1b[0m'


def run_server_banner():
    ok = lambda s: '%s✓%s %s' % (GREEN, NC, s)
    lines = [
        '🤖 HestAI MCP Server',
        '====================',
        'Version: 5.8.2-premium',
        '',
        ok('Python cache cleared'),
        ok('Found Python: Python 3.12.8'),
        ok('Virtual environment already exists: .hestai_venv'),
        ok('Dependencies already installed'),
        '%s!%s Found 5 running server processes (not touched by setup)' % (YELLOW, NC),
        ok('Claude Code CLI already configured for hestai'),
        '',
        '%s===== SETUP COMPLETE =====%s' % (GREEN, NC),
        'HestAI is ready to use!',
        '',
        'Logs will be written to: %s/logs/%s' % (REPO, SERVER_LOG),
        '',
        'To follow logs: ./run-server.sh -f',
        'To show config: ./run-server.sh -c',
        'To update: git pull, then run ./run-server.sh again',
        '',
        'Happy coding! 🎉',
    ]
    return ''.join(l + '\n' for l in lines)


# ---------------------------------------------------------------------------
# Work sessions
# ---------------------------------------------------------------------------

def pick_tool(proc):
    w = proc.f['weights']
    return proc.rng.choices(list(w), weights=list(w.values()))[0]


def random_outcome(rng, rates):
    r = rng.random()
    for name in ('retry', 'fail', 'error'):
        p = rates.get(name, 0.0)
        if r < p:
            return name
        r -= p
    return 'ok'


def random_action(proc, rates):
    """One user action: a simple call, a workflow sequence, or a continuation."""
    rng = proc.rng
    tool = pick_tool(proc)
    outcome = random_outcome(rng, rates)
    if tool in WORKFLOW_TOOLS:
        steps = rng.randint(1, 3)
        thread = None
        for s in range(1, steps + 1):
            o = outcome if s == steps or outcome == 'error' else 'ok'
            # model-backed steps pass the thread on as continuation_id;
            # no-model workflow tools (planner, consensus...) return None
            thread = proc.call(tool, cont=thread, outcome=o, step=s, steps=steps)
            if o == 'error':
                break
            proc.wait(4 * SEC, 70 * SEC)     # the agent investigates between steps
        return
    cont = None
    if tool == 'chat' and proc.threads and rng.random() < 0.3:
        cont = rng.choice(list(proc.threads))
    if tool in ('clink', 'contextupdate'):
        # these two can hit a bug that is logged with a traceback
        outcome = 'error' if rng.random() < rates.get('tb_tool', 0.0) else 'ok'
    elif outcome == 'error':
        outcome = 'ok'          # simple tools have no traceback path here
    proc.call(tool, cont=cont, outcome=outcome)


def work(proc, t_from, t_to, n, rates, plan=None, clock=True, project=None):
    """Run n user actions spread over [t_from, t_to].

    plan maps an action index to a callable(proc) replacing the random action.
    clock: hestai clockin first / clockout last.
    """
    rng = proc.rng
    plan = plan or {}
    n = max(n, max(plan, default=-1) + 1)      # scripted actions always happen
    times = sorted(rng.randint(t_from, t_to) for _ in range(n))
    hestai = proc.flavor == 'hestai'
    if proc.t < t_from:
        proc.t = t_from
    if clock and hestai:
        proc.call('clockin', project_root=project or rng.choice(PROJECTS))
    for i, ts in enumerate(times):
        proc.t = max(proc.t + rng.randint(2 * SEC, 25 * SEC), ts)
        if i in plan:
            plan[i](proc)
        else:
            random_action(proc, rates)
    if clock and hestai:
        proc.wait(30 * SEC, 5 * MIN)
        proc.call('clockout')


def runaway(proc, tool, calls, gap=(550, 850)):
    """An agent stuck in a loop: the same no-model tool called back to back."""
    first = proc.t
    for _ in range(calls):
        proc.call(tool, nargs=6)
        proc.t += proc.rng.randint(*gap)
    return first


def bare(sim, t, text, meta=None):
    sim.add(t, 'B', text, None, meta)


# ---------------------------------------------------------------------------
# The committed sample scenario
# ---------------------------------------------------------------------------

def build_sample(sim, scale=1.0):
    """Script of the sample: Fri 5 Dec - Wed 10 Dec 2025 (see samples/README.md)."""
    rng = sim.rng
    N = lambda n: max(1, int(round(n * scale)))
    calm = {'retry': 0.01}
    busy = {'retry': 0.02, 'fail': 0.004}
    # plan helpers -------------------------------------------------------
    chat = lambda outcome='ok', cont=None: (lambda p: p.call('chat', cont=cont, outcome=outcome))

    def workflow(tool, steps, outcome):
        def run(p):
            th = None
            for s in range(1, steps + 1):
                th = p.call(tool, cont=th, outcome=outcome if s == steps else 'ok',
                            step=s, steps=steps)
                p.wait(5 * SEC, 40 * SEC)
        return run

    def resume_lost(thread_holder, tool='chat'):
        """First call after a restart resumes a thread of the previous process."""
        return lambda p: p.call(tool, cont=thread_holder())

    reconnect = lambda t, name='hestai', kind='isolated': bare(
        sim, t, RECONNECT_LINE.format(name=name), ('reconnect', kind))

    # ---- Fri 2025-12-05: zen-mcp-server 9.4.1 on this checkout ----------
    p = Proc(sim, 41213, 'zen', ms_at(2025, 12, 5, 9, 14, 7, 512), ('claude-code', '2.0.58'))
    p.startup()
    p.handshake()
    work(p, ms_at(2025, 12, 5, 9, 16), ms_at(2025, 12, 5, 12, 35), N(22), calm,
         plan={5: chat('retry'), 14: workflow('thinkdeep', 2, 'fail'),
               19: workflow('codereview', 3, 'retry')})
    morning = p
    reconnect(ms_at(2025, 12, 5, 13, 2, 41), 'zen')
    p = Proc(sim, 41988, 'zen', ms_at(2025, 12, 5, 13, 41, 20, 77), ('claude-code', '2.0.58'))
    p.startup()
    p.handshake()
    work(p, ms_at(2025, 12, 5, 13, 42), ms_at(2025, 12, 5, 18, 20), N(24), calm,
         plan={0: resume_lost(lambda: list(morning.threads)[-1]),
               11: chat('fail'), 19: workflow('debug', 2, 'error')})

    # ---- Sat 2025-12-06: short zen session -----------------------------
    p = Proc(sim, 52310, 'zen', ms_at(2025, 12, 6, 10, 30, 2, 940), ('claude-code', '2.0.59'))
    p.startup()
    p.handshake()
    work(p, ms_at(2025, 12, 6, 10, 31), ms_at(2025, 12, 6, 12, 5), N(10), calm,
         plan={3: (lambda q: q.call('consensus', outcome='fail', step=1, steps=1)),
               8: chat('retry')})
    p.shutdown()

    # ---- Mon 2025-12-08: switched to the hestai fork -------------------
    # Two Claude Code windows 1.4 s apart; the first one imports slowly from
    # the external volume, so the second one's startup lands inside it and
    # is even ready first.
    a = Proc(sim, 805, 'hestai', ms_at(2025, 12, 8, 9, 12, 40, 203), ('claude-code', '2.0.61'))
    b = Proc(sim, 812, 'hestai', ms_at(2025, 12, 8, 9, 12, 41, 610), ('claude-code', '2.0.61'))
    a.startup(import_delay=(2100, 2400))
    b.startup()
    a.handshake()
    b.handshake()
    work(a, ms_at(2025, 12, 8, 9, 14), ms_at(2025, 12, 8, 12, 30), N(22), busy,
         plan={7: workflow('debug', 3, 'fail'), 14: chat('retry'),
               19: (lambda q: q.call('clink', outcome='error'))})
    work(b, ms_at(2025, 12, 8, 9, 15), ms_at(2025, 12, 8, 12, 20), N(18), busy,
         plan={9: chat('retry'), 14: workflow('thinkdeep', 2, 'retry')})
    p = Proc(sim, 1637, 'hestai', ms_at(2025, 12, 8, 14, 30, 12, 455), ('claude-code', '2.0.61'))
    p.startup()
    p.handshake()
    work(p, ms_at(2025, 12, 8, 14, 31), ms_at(2025, 12, 8, 18, 40), N(26), busy,
         plan={0: resume_lost(lambda: list(a.threads)[-1]),
               12: workflow('secaudit', 2, 'fail'),
               20: (lambda q: q.call('contextupdate', outcome='error'))})
    reconnect(ms_at(2025, 12, 8, 16, 2, 19))
    p.shutdown()
    p = Proc(sim, 6325, 'hestai', ms_at(2025, 12, 8, 23, 0, 31, 18), ('claude-code', '2.0.61'))
    p.startup()
    p.handshake()
    work(p, ms_at(2025, 12, 8, 23, 1), ms_at(2025, 12, 8, 23, 48), N(6), calm)

    # ---- Tue 2025-12-09 -------------------------------------------------
    p = Proc(sim, 24534, 'hestai', ms_at(2025, 12, 9, 5, 0, 9, 731), ('claude-code', '2.0.64'))
    p.startup(drift=True)
    p.handshake()
    work(p, ms_at(2025, 12, 9, 5, 1), ms_at(2025, 12, 9, 6, 5), N(8), calm)
    p.shutdown()
    # Late start: the external volume was asleep, imports took ~44 s.
    late = Proc(sim, 31877, 'hestai', ms_at(2025, 12, 9, 9, 31, 55, 268), ('claude-code', '2.0.64'))
    late.startup(import_delay=(44600, 44900), drift=True)
    late.handshake()

    def loop(q):
        q.t = max(q.t, ms_at(2025, 12, 9, 15, 4, 10, 0))
        runaway(q, 'planner', 74)

    def never_ready_then_more(q):
        # A Gemini CLI window spawns a server without API keys: its startup
        # stops after the key checks.  This process keeps working after it.
        nr = Proc(sim, 40121, 'hestai', q.t + 4 * SEC + 117, ('gemini-cli-mcp-client', '0.19.4'),
                  keys=False)
        nr.startup()
        q.t = nr.t + 38 * SEC
        q.call('chat')

    work(late, ms_at(2025, 12, 9, 9, 33), ms_at(2025, 12, 9, 18, 20), N(40), busy,
         plan={6: chat('retry'), 12: workflow('analyze', 2, 'fail'),
               20: loop, 21: chat('retry'),
               26: never_ready_then_more,
               32: (lambda q: q.call('clink', outcome='error'))})
    reconnect(ms_at(2025, 12, 9, 11, 48, 2))

    # ---- Wed 2025-12-10 -------------------------------------------------
    # The runbook's startup hook: `nohup ./run-server.sh > logs/mcp_server.log 2>&1 &`
    # truncates the server log and writes the setup banner into it.
    t_trunc = ms_at(2025, 12, 10, 8, 57, 41, 0)
    sim.add(t_trunc, 'T', '')
    bare(sim, t_trunc, run_server_banner())
    w1 = Proc(sim, 63410, 'hestai', ms_at(2025, 12, 10, 9, 1, 50, 334), ('claude-code', '2.0.65'))
    w1.startup()
    w1.handshake()
    work(w1, ms_at(2025, 12, 10, 9, 3), ms_at(2025, 12, 10, 13, 48), N(14), busy,
         plan={0: resume_lost(lambda: list(late.threads)[-1]), 8: chat('retry')})
    w2 = Proc(sim, 63502, 'hestai', ms_at(2025, 12, 10, 10, 15, 3, 871), ('claude-code', '2.0.65'))
    w2.startup()
    w2.handshake()
    work(w2, ms_at(2025, 12, 10, 10, 16), ms_at(2025, 12, 10, 13, 40), N(10), calm,
         plan={6: workflow('debug', 2, 'retry')})
    # Reconnect storm: the user keeps hitting /mcp -> Reconnect in one window
    # (9 times in ~38 min) while the other window keeps working, so every
    # bare storm line sits shortly after a timestamped line (at any --scale).
    t = ms_at(2025, 12, 10, 13, 53, 12, 0)
    for _ in range(9):
        w2.t = max(w2.t, t - rng.randint(40 * SEC, 70 * SEC))
        random_action(w2, calm)
        reconnect(t, kind='storm')
        t += rng.randint(3 * MIN, 5 * MIN + 30 * SEC)
    # Fresh start after the cleanup: two windows 7 s apart (§5.1/§5.2).
    x = Proc(sim, 79999, 'hestai', ms_at(2025, 12, 10, 14, 36, 2, 114), ('claude-code', '2.0.65'))
    y = Proc(sim, 80007, 'hestai', ms_at(2025, 12, 10, 14, 36, 9, 402), ('claude-code', '2.0.65'))
    x.startup()
    y.startup()
    x.handshake()
    y.handshake()
    work(x, ms_at(2025, 12, 10, 14, 36, 30), ms_at(2025, 12, 10, 15, 8), N(6), busy,
         plan={3: workflow('debug', 2, 'fail')})
    x.t = max(x.t, ms_at(2025, 12, 10, 15, 10, 3, 517) - 2)
    x.shutdown()
    z = Proc(sim, 80412, 'hestai', ms_at(2025, 12, 10, 15, 10, 5, 21), ('claude-code', '2.0.65'))
    z.startup()
    z.handshake()
    work(y, ms_at(2025, 12, 10, 14, 37), ms_at(2025, 12, 10, 16, 50), N(8), calm)
    work(z, ms_at(2025, 12, 10, 15, 10, 31), ms_at(2025, 12, 10, 17, 40), N(10), busy,
         plan={0: resume_lost(lambda: list(x.threads)[-1]), 6: chat('retry')})


# ---------------------------------------------------------------------------
# Rendering and rotation
# ---------------------------------------------------------------------------

def render(events):
    """Sort events and render them.

    Returns (server, activity, trunc_index): lists of records
    ``(t, text, kind, meta)`` in file order, and the index in `server` where
    a truncation marker sat (None if none).
    """
    events.sort(key=lambda e: (e[0], e[1]))
    fmt = TsFormatter()
    server, activity = [], []
    trunc = None
    for t, _seq, kind, text, cont, meta in events:
        if kind == 'S':
            line = '%s - %s\n' % (fmt(t), text)
            if cont:
                line += cont
            server.append((t, line, 'S', meta, text))
        elif kind == 'A':
            ts = fmt(t)
            server.append((t, '%s - mcp_activity - INFO - %s\n' % (ts, text), 'S', None,
                           'mcp_activity - INFO - ' + text))
            activity.append((t, '%s - %s\n' % (ts, text), 'A', meta, text))
        elif kind == 'B':
            server.append((t, text, 'B', meta, text))
        elif kind == 'T':
            trunc = len(server)
    return server, activity, trunc


def split_by_size(records, parts, fractions=None):
    """Cut records (in time order) into `parts` members by byte size.

    fractions: relative size of each member, oldest first (default equal).
    A record (line plus its traceback) is never split.
    """
    fractions = fractions or [1.0] * parts
    total = sum(len(r[1].encode('utf-8')) for r in records) or 1
    bounds, acc = [], 0.0
    for f in fractions[:-1]:
        acc += f
        bounds.append(acc / sum(fractions) * total)
    members = [[] for _ in range(parts)]
    pos, k = 0, 0
    for r in records:
        while k < len(bounds) and pos >= bounds[k]:
            k += 1
        members[k].append(r)
        pos += len(r[1].encode('utf-8'))
    return members


def write_member(path, text, compress):
    data = text.encode('utf-8')
    if compress:
        data = gzip.compress(data, compresslevel=GZIP_LEVEL, mtime=0)
    with open(path, 'wb') as fh:
        fh.write(data)


def sliding_max(times, window):
    """Largest number of times t_j with t_i <= t_j < t_i + window (times sorted)."""
    best, j = 0, 0
    for i in range(len(times)):
        while j < len(times) and times[j] < times[i] + window:
            j += 1
        best = max(best, j - i)
    return best


def write_sample(out_dir, seed=DEFAULT_SEED, scale=1.0):
    """Simulate the sample scenario, write the files, return the manifest."""
    sim = Sim(seed)
    build_sample(sim, scale)
    server, activity, trunc = render(sim.events)
    fmt = TsFormatter()
    # Server: everything before the truncation point was rotated into .1,
    # .2.gz, .3.gz (oldest = highest number); the current file starts with
    # the run-server.sh banner written by the truncating redirect.
    old = split_by_size(server[:trunc], 3)
    server_files = [(SERVER_LOG + '.3.gz', old[0]), (SERVER_LOG + '.2.gz', old[1]),
                    (SERVER_LOG + '.1', old[2]), (SERVER_LOG, server[trunc:])]
    act = split_by_size(activity, 3, [1.0, 1.0, 0.6])
    activity_files = [(ACTIVITY_LOG + '.2.gz', act[0]), (ACTIVITY_LOG + '.1', act[1]),
                      (ACTIVITY_LOG, act[2])]

    os.makedirs(out_dir, exist_ok=True)
    for name in sorted(os.listdir(out_dir)):        # drop stale members of our families
        if name.startswith((SERVER_LOG, ACTIVITY_LOG)):
            os.remove(os.path.join(out_dir, name))

    man = {'lines': {}, 'tool_calls': {}, 'startups': [], 'reconnect_failures': 0,
           'reconnect_storm': None, 'error_lines': 0, 'traceback_records': 0,
           'provider_retry_lines': 0, 'conversation_errors': 0,
           'thread_not_found_lines': 0, 'runaway': None}
    startups = {}
    reconnects = []              # (effective time, kind)
    for name, recs in server_files:
        last_t = None            # framer rule: a bare line takes the previous timestamp
        for t, text, kind, meta, body in recs:
            if kind == 'S':
                last_t = t
                level = body.split(' - ', 2)[1]
                if level in ('ERROR', 'CRITICAL'):
                    man['error_lines'] += 1
            if meta:
                tag = meta[0]
                if tag == 'pid':
                    startups[meta[1]] = {'pid': meta[1], 'time': fmt(t), 'ready': None}
                elif tag == 'ready':
                    startups[meta[1]]['ready'] = fmt(t)
                elif tag == 'tb':
                    man['traceback_records'] += 1
                elif tag == 'retry':
                    man['provider_retry_lines'] += 1
                elif tag == 'thread_nf':
                    man['thread_not_found_lines'] += 1
                elif tag == 'reconnect':
                    assert last_t is not None, 'reconnect line before any timestamp'
                    reconnects.append((last_t, meta[1]))
        text = ''.join(r[1] for r in recs)
        man['lines'][name] = text.count('\n')
        write_member(os.path.join(out_dir, name), text, name.endswith('.gz'))

    calls = {}
    for name, recs in activity_files:
        for t, text, kind, meta, body in recs:
            if meta and meta[0] == 'tool_call':
                calls.setdefault(meta[1], []).append(t)
            elif meta and meta[0] == 'conv_error':
                man['conversation_errors'] += 1
        text = ''.join(r[1] for r in recs)
        man['lines'][name] = text.count('\n')
        write_member(os.path.join(out_dir, name), text, name.endswith('.gz'))

    man['tool_calls'] = {k: len(v) for k, v in sorted(calls.items())}
    man['startups'] = sorted(startups.values(), key=lambda s: s['time'])
    man['reconnect_failures'] = len(reconnects)
    storm = [t for t, kind in reconnects if kind == 'storm']
    man['reconnect_storm'] = {'first': fmt(storm[0]), 'last': fmt(storm[-1]),
                              'count': len(storm)}
    # Sanity: the storm is the only hour with more than 5 failures.
    times = sorted(t for t, _ in reconnects)
    assert sliding_max(times, HOUR) == len(storm) and storm[-1] - storm[0] < HOUR
    best_tool, best = None, 0
    for tool, ts in sorted(calls.items()):
        n = sliding_max(ts, MIN)
        # the count must not depend on whether the window end is open or closed
        assert n == sliding_max(ts, MIN + 1), tool
        if n > best:
            best_tool, best = tool, n
    man['runaway'] = {'tool': best_tool, 'max_calls_in_60s': best}
    return man


# ---------------------------------------------------------------------------
# Benchmark day templates (used by tests/bench/genlogs.py)
# ---------------------------------------------------------------------------

def bench_day_template(seed, day, calls=400, flavor='hestai'):
    """Simulate one busy day (00:00-23:59 of `day` = (y, m, d)) of a `flavor` server.

    Returns (server_text, activity_text) with every timestamp on that date,
    so a caller can re-date the text with a plain string replace.  The day
    has several startups (sometimes two windows at once, sometimes a late or
    never-ready one), provider retries and failures with tracebacks, thread
    loss after restarts, sometimes a runaway loop and reconnect failures.
    """
    sim = Sim(seed)
    rng = sim.rng
    y, mo, d = day
    rates = {'retry': 0.03, 'fail': 0.006, 'error': 0.004, 'tb_tool': 0.05}
    pid = rng.randint(700, 90000)
    prev = None
    sessions = [(8, 30, 12, 30, 0.45), (13, 30, 18, 30, 0.4), (20, 0, 23, 0, 0.15)]
    for h0, m0, h1, m1, share in sessions:
        if share < 0.2 and rng.random() < 0.5:
            continue
        t0 = ms_at(y, mo, d, h0, m0) + rng.randint(0, 20 * MIN)
        t_end = ms_at(y, mo, d, h1, m1)
        windows = 2 if rng.random() < 0.35 else 1
        procs = []
        for w in range(windows):
            pid += rng.randint(7, 900)
            p = Proc(sim, pid, flavor, t0 + w * rng.randint(900, 9000),
                     ('claude-code', '2.0.%d' % rng.randint(60, 66)))
            late = rng.random() < 0.08
            p.startup(import_delay=(44000, 47000) if late else (5, 30),
                      drift=rng.random() < 0.1)
            procs.append(p)
        if rng.random() < 0.08:              # a window without API keys: never ready
            pid += rng.randint(7, 900)
            Proc(sim, pid, flavor, t0 + 2 * MIN, ('gemini-cli-mcp-client', '0.19.4'),
                 keys=False).startup()
        for p in procs:
            p.handshake()
        n = max(1, int(calls * share / windows))
        for i, p in enumerate(procs):
            plan = {}
            if prev is not None and prev.threads and i == 0:
                lost = list(prev.threads)[-1]
                plan[0] = lambda q, lost=lost: q.call('chat', cont=lost)
            if rng.random() < 0.12:
                plan[n // 2] = lambda q: runaway(q, rng.choice(['planner', 'version',
                                                                'listmodels']),
                                                 rng.randint(61, 90))
            work(p, p.t + 20 * SEC, t_end - 10 * MIN, n, rates, plan=plan)
            if rng.random() < 0.5:
                p.shutdown()
        prev = procs[0]
        if rng.random() < 0.25:              # the user fights /mcp reconnects
            t = t0 + rng.randint(30 * MIN, 3 * HOUR)
            for _ in range(rng.randint(2, 9)):
                bare(sim, t, RECONNECT_LINE.format(name='zen' if flavor == 'zen' else 'hestai'),
                     ('reconnect', 'bench'))
                t += rng.randint(2 * MIN, 9 * MIN)
    server, activity, _ = render(sim.events)
    end = ms_at(y, mo, d, 23, 59, 59, 999)
    assert server[-1][0] <= end and activity[-1][0] <= end, 'day template crosses midnight'
    return ''.join(r[1] for r in server), ''.join(r[1] for r in activity)


# ---------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------

def main(argv=None):
    ap = argparse.ArgumentParser(description='Generate a realistic MCP server logs/ folder.')
    ap.add_argument('--out', required=True, help='output directory (created if missing)')
    ap.add_argument('--seed', type=int, default=DEFAULT_SEED, help='random seed')
    ap.add_argument('--scale', type=float, default=1.0,
                    help='multiplies the number of ordinary tool calls (default 1)')
    ap.add_argument('--manifest', help='write the ground-truth manifest (JSON) here')
    args = ap.parse_args(argv)
    if args.scale <= 0:
        ap.error('--scale must be positive')
    man = write_sample(args.out, args.seed, args.scale)
    if args.manifest:
        with open(args.manifest, 'w', encoding='utf-8') as fh:
            json.dump(man, fh, indent=2, ensure_ascii=False)
            fh.write('\n')
    return 0


if __name__ == '__main__':
    sys.exit(main())
