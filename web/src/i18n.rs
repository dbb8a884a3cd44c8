//! The page's languages: English and Simplified Chinese. Strings are keyed by their English
//! text; [`tr`] and [`trf`] look up the current language (set by the page before it renders,
//! remembered in `localStorage`). Messages that come from scanner-core (errors, warnings,
//! advisory texts) stay as they are.

use std::cell::Cell;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    En,
    Zh,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh-CN",
        }
    }

    pub fn from_code(code: &str) -> Option<Lang> {
        let c = code.to_ascii_lowercase();
        if c.starts_with("zh") {
            Some(Lang::Zh)
        } else if c.starts_with("en") {
            Some(Lang::En)
        } else {
            None
        }
    }
}

thread_local! {
    static CURRENT: Cell<Lang> = const { Cell::new(Lang::En) };
}

pub fn set(lang: Lang) {
    CURRENT.with(|c| c.set(lang));
}

pub fn current() -> Lang {
    CURRENT.with(Cell::get)
}

/// The current language's text for an English string.
pub fn tr(en: &'static str) -> &'static str {
    match current() {
        Lang::En => en,
        Lang::Zh => zh(en).unwrap_or(en),
    }
}

/// A template with `{}` placeholders, translated, then filled in order.
pub fn trf(template: &'static str, args: &[&dyn std::fmt::Display]) -> String {
    let t = tr(template);
    let mut out = String::with_capacity(t.len() + 16);
    let mut parts = t.split("{}");
    let mut args = args.iter();
    if let Some(first) = parts.next() {
        out.push_str(first);
    }
    for part in parts {
        if let Some(a) = args.next() {
            out.push_str(&a.to_string());
        }
        out.push_str(part);
    }
    out
}

/// A percentile, 0 to 100, as the current language says it: "99th", "第 99 百分位".
pub fn percentile(n: u32) -> String {
    match current() {
        Lang::Zh => format!("第 {n} 百分位"),
        Lang::En => {
            let suffix = match (n % 10, n % 100) {
                (_, 11..=13) => "th",
                (1, _) => "st",
                (2, _) => "nd",
                (3, _) => "rd",
                _ => "th",
            };
            format!("{n}{suffix}")
        }
    }
}

fn zh(en: &str) -> Option<&'static str> {
    Some(match en {
        // Top bar, drop zone, intro, footer
        "Runs in your browser · nothing is uploaded" => "在浏览器中运行 · 不上传任何内容",
        "The image is read by WebAssembly inside this tab." => {
            "镜像由本标签页中的 WebAssembly 读取。"
        }
        "Drop a container image archive" => "拖入容器镜像归档文件",
        "A " => "",
        " tarball or an OCI archive (.tar, .tar.gz). " => {
            " 导出的 tar 包或 OCI 归档（.tar、.tar.gz）。"
        }
        "It never leaves this computer." => "文件不会离开这台电脑。",
        "Choose file…" => "选择文件…",
        "Private by construction" => "天生私密",
        "The archive is read in a web worker in this tab. Nothing is uploaded." => {
            "归档在本标签页的 Web Worker 中读取，不上传任何内容。"
        }
        "Every archive format" => "支持各种归档格式",
        "docker save, podman, kaniko and OCI archives with gzip, zstd or plain layers." => {
            "docker save、podman、kaniko 与 OCI 归档，层可为 gzip、zstd 或未压缩。"
        }
        "Fast on big images" => "大镜像也很快",
        "Only tar headers are read; layer bodies are skipped." => "只读取 tar 头，跳过层内容。",
        "tarsier reads the image with Rust compiled to WebAssembly, in web workers. " => {
            "tarsier 在 Web Worker 中用编译为 WebAssembly 的 Rust 读取镜像。"
        }
        "No request carries your image anywhere." => "没有任何请求会把你的镜像发送出去。",
        "Language" => "语言",
        // Progress and errors
        "Starting worker" => "正在启动 Worker",
        "Choose another file" => "选择其他文件",
        // Bundle
        "Loading advisories…" => "正在加载漏洞数据…",
        "Advisories: " => "漏洞数据：",
        "{} records" => "{} 条记录",
        "KEV {}" => "KEV 目录 {}",
        "EPSS of {}" => "EPSS 评分 {}",
        "EPSS (date unknown)" => "EPSS（日期未知）",
        " · built {} · {} · {}" => " · 构建于 {} · {} · {}",
        " Images are still read and inventoried, but not matched against advisories." => {
            " 仍会读取镜像并列出软件包，但不会与漏洞数据匹配。"
        }
        // Summary
        "Untagged image" => "未加标签的镜像",
        " · read in " => " · 读取用时 ",
        " · matched in " => " · 匹配用时 ",
        " · also tagged {}" => " · 其他标签 {}",
        "Warnings" => "警告",
        "Format" => "格式",
        "Platform" => "平台",
        "Created" => "创建时间",
        "unknown" => "未知",
        "Layers" => "层",
        "Files" => "文件",
        " unpacked" => " 解压后",
        "Config digest (image ID)" => "配置摘要（镜像 ID）",
        "This archive holds {} images:" => "此归档包含 {} 个镜像：",
        "History " => "构建历史 ",
        "{} steps, {} without a layer" => "{} 步，其中 {} 步不产生层",
        // Export
        "Export" => "导出",
        "Export the report" => "导出报告",
        // Findings
        "Vulnerabilities " => "漏洞 ",
        " · {} with a fixed version" => " · {} 个有修复版本",
        " show {} not applicable to containers" => " 显示 {} 个不适用于容器的漏洞",
        "Search id, package, summary" => "搜索编号、软件包、摘要",
        "Search findings" => "搜索漏洞",
        "All severities" => "全部严重程度",
        "All ecosystems" => "全部生态",
        "All layers" => "全部层",
        "layer {}" => "第 {} 层",
        " with a fix" => " 仅有修复",
        "{} shown" => "显示 {} 条",
        " hide the base image's {}" => " 隐藏基础镜像的 {} 条",
        "{} from the base image hidden" => "已隐藏基础镜像的 {} 条",
        "No known vulnerabilities in this image's packages." => "此镜像的软件包中没有已知漏洞。",
        "Severity" => "严重程度",
        "ID" => "编号",
        "Package" => "软件包",
        "Installed" => "已安装",
        "Fixed in" => "修复版本",
        "Layer" => "层",
        "Summary" => "摘要",
        "no fix yet" => "尚无修复",
        "Group" => "分组",
        "No grouping" => "不分组",
        "Group by package" => "按软件包分组",
        "Group by vulnerability" => "按漏洞分组",
        "Findings" => "漏洞数",
        "Show {} more of {}" => "再显示 {} 条（共剩 {} 条）",
        "critical" => "严重",
        "high" => "高危",
        "medium" => "中危",
        "low" => "低危",
        "{} critical" => "{} 严重",
        "{} high" => "{} 高危",
        "{} medium" => "{} 中危",
        "{} low" => "{} 低危",
        "{} unknown" => "{} 未知",
        "Findings by severity: {}" => "按严重程度统计：{}",
        // Finding detail
        "No summary in the advisory." => "公告中没有摘要。",
        "Identifiers: " => "编号：",
        "Severity: " => "严重程度：",
        "no rating in the advisory" => "公告中没有评级",
        "rated {} from its CVSS {} vector" => "评级 {}，依据其 CVSS {} 向量",
        "rated {} by {}" => "评级 {}，由 {} 评定",
        "rating from " => "评级取自 ",
        "CVSS: " => "CVSS：",
        "(the advisory's score; {} decided the rating)" => "（公告中的评分；评级由 {} 决定）",
        "CVSS score of the advisory" => "公告中的 CVSS 评分",
        // Exploitation: CISA KEV and FIRST EPSS
        "known exploited" => "已知被利用",
        "In CISA's Known Exploited Vulnerabilities catalog since {}" => {
            "自 {} 起列入 CISA 已知被利用漏洞目录"
        }
        "known ransomware use" => "已知被勒索软件利用",
        "Added to CISA's Known Exploited Vulnerabilities catalog on {}; US federal agencies must remediate it by {}." => {
            "于 {} 列入 CISA 已知被利用漏洞（KEV）目录；美国联邦机构须在 {} 前完成修复。"
        }
        "KEV catalog" => "KEV 目录",
        "EPSS: " => "EPSS：",
        "probability of exploitation activity in the next 30 days (FIRST), and its percentile among all scored CVEs" => {
            "未来 30 天内出现利用活动的概率（FIRST），及其在所有已评分 CVE 中的百分位"
        }
        "FIRST's Exploit Prediction Scoring System: the probability of exploitation activity in the next 30 days, and its percentile among all scored CVEs" => {
            "FIRST 漏洞利用预测评分系统（EPSS）：未来 30 天内出现利用活动的概率，及其在所有已评分 CVE 中的百分位"
        }
        " known exploited only" => " 仅已知被利用",
        "Sort" => "排序",
        "by risk" => "按风险",
        "by severity" => "按严重程度",
        "by package" => "按软件包",
        "by id" => "按编号",
        "{} known exploited" => "{} 个已知被利用",
        "{} used by ransomware" => "{} 个被勒索软件利用",
        "in CISA's Known Exploited Vulnerabilities catalog: exploited in the wild" => {
            "列入 CISA 已知被利用漏洞目录：已在现实中被利用"
        }
        "{} likely to be exploited (EPSS ≥ 10 %)" => "{} 个可能被利用（EPSS ≥ 10 %）",
        "not known exploited, but EPSS gives them at least a 10 % probability of exploitation activity in the next 30 days" => {
            "尚未知被利用，但 EPSS 认为其未来 30 天内出现利用活动的概率至少为 10 %"
        }
        "Installed: " => "已安装：",
        "Fixed in: " => "修复版本：",
        "Layer {}: " => "第 {} 层：",
        "Fix: " => "修复：",
        "Attack vector" => "攻击途径",
        "Attack complexity" => "攻击复杂度",
        "Attack requirements" => "攻击条件",
        "Privileges required" => "所需权限",
        "User interaction" => "用户交互",
        "Scope" => "影响范围",
        "Confidentiality" => "机密性",
        "Integrity" => "完整性",
        "Availability" => "可用性",
        "Subsequent confidentiality" => "后续机密性",
        "Subsequent integrity" => "后续完整性",
        "Subsequent availability" => "后续可用性",
        "Authentication" => "身份认证",
        // Packages
        "Packages " => "软件包 ",
        "Name" => "名称",
        "Version" => "版本",
        "Ecosystem" => "生态",
        "Source / path" => "源码包 / 路径",
        "Arch" => "架构",
        "Distribution unknown (no os-release)" => "发行版未知（没有 os-release）",
        "end of life since {}" => "已于 {} 停止支持",
        "supported until {}" => "支持至 {}",
        // Runtime
        "Image configuration" => "镜像配置",
        "User" => "用户",
        "root (not set)" => "root（未设置）",
        "runs as root" => "以 root 运行",
        "Working directory" => "工作目录",
        "Entrypoint" => "入口点",
        "Command" => "命令",
        "Exposed ports" => "暴露端口",
        "Base image" => "基础镜像",
        "Environment ({})" => "环境变量（{}）",
        "Labels ({})" => "标签（{}）",
        "{} secret-looking values masked" => "已隐藏 {} 个疑似密钥的值",
        // Layers table
        "Digest" => "摘要",
        "Size" => "大小",
        "Media type" => "媒体类型",
        "Unpacked" => "解压后",
        "Created by" => "创建命令",
        // Progress
        "Indexing archive" => "正在索引归档",
        "Reading manifest" => "正在读取清单",
        "Reading image config" => "正在读取镜像配置",
        "Inspecting layers" => "正在检查镜像层",
        "Reading layers" => "正在读取镜像层",
        "Done" => "完成",
        "Layer {}" => "第 {} 层",
        "about {} s left" => "约剩 {} 秒",
        "Cancel" => "取消",
        // Layers view
        "files added" => "新增文件",
        "files changed" => "修改文件",
        "files removed" => "删除文件",
        "files here carry findings" => "此处文件含有漏洞发现",
        "findings" => "漏洞",
        "… and {} more here" => "… 此处另有 {} 项",
        "No file list for this layer." => "此层没有文件列表。",
        "This layer changed no files." => "此层未改动任何文件。",
        "{} paths changed" => "改动了 {} 个路径",
        "only files with findings ({})" => "仅显示含漏洞的文件（{}）",
        "Collapse all" => "全部折叠",
        "Packages" => "软件包",
        "from the base image" => "来自基础镜像",
        "base" => "基础",
        "uncompressed" => "未压缩",
        // Share links, offline, bundle age
        "Can't read " => "无法读取 ",
        "Report sections" => "报告各部分",
        "signed" => "已签名",
        "unsigned" => "未签名",
        "no layer" => "无层",
        "History" => "历史",
        "Vulnerabilities" => "漏洞",
        "shared report link" => "共享的报告链接",
        " · offline: using the saved bundle" => " · 离线：使用已保存的漏洞库",
        "today" => "今天构建",
        "1 day old" => "已有 1 天",
        "{} days old" => "已有 {} 天",
        "updated just now" => "刚刚已更新",
        "These advisories are more than a week old: newer vulnerabilities are missing. Go online and reload to update them." => "这些漏洞数据已超过一周：缺少较新的漏洞。请联网并刷新页面以更新。",
        "Opened from a shared link" => "从共享链接打开",
        "Opened from a report file" => "从报告文件打开",
        "advisories of {}" => "{} 的漏洞库",
        "no advisories" => "无漏洞库",
        "No change in findings since it was shared." => "自分享以来，漏洞发现没有变化。",
        "{} new findings, {} fixed upstream or withdrawn since it was shared." => "自分享以来：新增 {} 个漏洞发现，{} 个已在上游修复或撤回。",
        "Matched then with {}, now with {} in this browser. The image itself is not here: layers, files and configuration are not part of a link." => "当时使用{}匹配，现在在此浏览器中使用{}。镜像本身不在这里：链接中不包含镜像层、文件和配置。",
        "New: " => "新增：",
        "No longer reported: " => "不再报告：",
        "Copy link" => "复制链接",
        "Share link" => "分享链接",
        "Copied: {} characters. The report is in the part after #, which browsers never send to a server." => "已复制：{} 个字符。报告位于 # 之后的部分，浏览器从不会将其发送到服务器。",
        "This report needs a {} KB link, too long to paste reliably. Send the report file instead; dropping it on this page reopens it the same way." => "此报告需要 {} KB 的链接，太长，无法可靠粘贴。请改为发送报告文件；把它拖到本页面即可同样打开。",
        "Scan cancelled" => "扫描已取消",
        "The scan of {} was stopped and its workers ended. Nothing was kept." => {
            "{} 的扫描已停止，工作线程已结束，未保留任何内容。"
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_fill_in_order_in_both_languages() {
        set(Lang::En);
        assert_eq!(
            trf("Show {} more of {}", &[&200, &250]),
            "Show 200 more of 250"
        );
        set(Lang::Zh);
        assert_eq!(trf("{} shown", &[&3]), "显示 3 条");
        assert_eq!(tr("not in the table"), "not in the table");
        set(Lang::En);
    }

    #[test]
    fn percentiles_in_both_languages() {
        set(Lang::En);
        let en: Vec<String> = [1, 2, 3, 4, 11, 12, 13, 21, 22, 99, 100]
            .into_iter()
            .map(percentile)
            .collect();
        assert_eq!(
            en,
            ["1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "99th", "100th"]
        );
        set(Lang::Zh);
        assert_eq!(percentile(99), "第 99 百分位");
        set(Lang::En);
    }
}
