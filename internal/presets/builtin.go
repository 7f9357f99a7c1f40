package presets

// checked is the date every source below was last read.
const checked = "2026-12-05"

// builtin are the presets. Each name is exact (a plain name also covers the
// names under it unless RBRN_DNS_MATCH=exact); a host under a public
// suffix such as githubusercontent.com is listed by its full name, never
// as the suffix. Changes: see docs/presets.md.
var builtin = []Preset{
	{
		Name:    "anthropic",
		Names:   []string{"api.anthropic.com"},
		Source:  "https://docs.anthropic.com/fr/docs/claude-code/corporate-proxy",
		Checked: checked,
		Opens:   "sends prompts and files to Anthropic and spends on the bottle's API key",
	},
	{
		Name:    "openai",
		Names:   []string{"api.openai.com"},
		Source:  "https://github.com/openai/openai-python/blob/main/src/openai/_client.py",
		Checked: checked,
		Opens:   "sends prompts and files to OpenAI (the Files API stores them) and spends on the bottle's API key",
	},
	{
		Name: "github",
		Names: []string{
			"github.com", "api.github.com", "codeload.github.com", "uploads.github.com",
			"raw.githubusercontent.com", "objects.githubusercontent.com", "release-assets.githubusercontent.com",
		},
		Source:  "https://docs.github.com/en/authentication/keeping-your-account-and-data-secure/about-githubs-ip-addresses",
		Checked: checked,
		Opens:   "lets the bottle push to any repository its credentials reach, open issues, pull requests and gists (a way out for data)",
	},
	{
		Name:    "npm",
		Names:   []string{"registry.npmjs.org"},
		Source:  "https://docs.npmjs.com/cli/using-npm/registry",
		Checked: checked,
		Opens:   "lets the bottle publish any package its npm token owns",
	},
	{
		Name:    "pypi",
		Names:   []string{"pypi.org", "files.pythonhosted.org"},
		Source:  "https://packaging.python.org/en/latest/specifications/simple-repository-api/",
		Checked: checked,
		Opens:   "lets the bottle upload to any project its PyPI token owns (upload.pypi.org is under pypi.org)",
	},
	{
		Name:    "go",
		Names:   []string{"proxy.golang.org", "sum.golang.org"},
		Source:  "https://go.googlesource.com/go/+/go1.21.0/go.env",
		Checked: checked,
		Opens:   "nothing writable; the module paths the bottle asks for reach Google's proxy and checksum database",
	},
	{
		Name:    "crates",
		Names:   []string{"crates.io", "index.crates.io", "static.crates.io"},
		Source:  "https://index.crates.io/",
		Checked: checked,
		Opens:   "lets the bottle publish or yank any crate its crates.io token owns",
	},
	{
		Name:    "debian",
		Names:   []string{"deb.debian.org", "security.debian.org"},
		Source:  "https://wiki.debian.org/SourcesList",
		Checked: checked,
		Opens:   "nothing writable; the package names the bottle fetches reach Debian's mirror network",
	},
	{
		Name:    "ubuntu",
		Names:   []string{"archive.ubuntu.com", "security.ubuntu.com", "ports.ubuntu.com"},
		Source:  "https://canonical-ubuntu-packaging-guide.readthedocs-hosted.com/en/latest/explanation/archive/",
		Checked: checked,
		Opens:   "nothing writable; the package names the bottle fetches reach Ubuntu's archive",
	},
	{
		Name: "docker-hub",
		Names: []string{
			"auth.docker.io", "registry-1.docker.io", "production.cloudflare.docker.com", "production.cloudfront.docker.com",
			"docker-images-prod.6aa30f8b08e16409b46e0173d6de2f56.r2.cloudflarestorage.com",
		},
		Source:  "https://docs.docker.com/desktop/setup/allow-list/",
		Checked: checked,
		Opens:   "lets the bottle push to any repository its Docker Hub credentials reach",
	},
}
