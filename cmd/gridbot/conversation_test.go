package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"gridbot/models"
	"gridbot/store"
	"gridbot/wechatsim"
)

// Conversation scripts in the words villagers and grid workers use: typos, full-width digits,
// Chinese numerals, split messages, answers to the wrong question, 跳过, follow-up questions.
// Each runs through the simulator over real HTTP and must file the right case or answer the
// right query.

// step is one message of a script and what the answer must (and must not) say. A text is sent
// as typed, except:
//
//	/photo                 a photo
//	/voice TEXT            a voice message WeChat recognised as TEXT
//	/location LAT LNG L    a location message labelled L
//	/pick NAME             the number of the offered matter NAME, as the person reads it
//
// and {no} stands for the tracking number of the last receipt, {typo} for it with two
// neighbouring digits swapped.
type step struct {
	send string
	want []string
	not  []string
}

// filed is what the case a script files must be.
type filed struct {
	kind         models.CaseKind
	matter       string // "" for triage
	township     string
	village      string
	photos       int
	confidential bool
	phone        string
	descHas      []string
	descNot      []string
	state        models.State
}

// script is one person's conversation.
type script struct {
	name     string
	openid   string // "" for a new citizen
	steps    []step
	filed    *filed
	maxSends int // when set, the person sends at most this many messages
}

// say2 is a shorthand for a step with wanted phrases.
func say2(send string, want ...string) step { return step{send: send, want: want} }

// conversationScripts are the scripts; 黄秀英 is the sample county's grid worker of 型厝村.
func conversationScripts() []script {
	const worker = "oSim_WtqcALpYQOBQBzsMImBL3Yl"
	return []script{
		{name: "photo first, then words, location and two taps", maxSends: 6, steps: []step{
			say2("/photo", "请描述"),
			say2("安平路口天天有人摆摊卖菜，车都过不去", "问题发生的地点"),
			say2("/location 24.6993 118.4548 安海镇安平社区", "已记录地点：安海镇安平社区", "违法占道经营"),
			say2("/pick 违法占道经营", "身份保密"),
			say2("1", "请确认", "照片：1张", "身份保密：是"),
			say2("确认", "受理编号："),
		}, filed: &filed{kind: models.KindComplaint, matter: "CG-001", township: "anhai", village: "anhai-anping", photos: 1, confidential: true}},

		{name: "a preamble, then the description in two messages, 没了 ends it", steps: []step{
			say2("阿伯跟你们反应一下", "您请说", "请描述"),
			say2("我们村口那个十字路口天天有人开着面包车卖海鲜", "现场照片"),
			say2("车就停在路中间，早上上班根本过不去", "已补充到问题描述"),
			{send: "没了", want: []string{"问题发生的地点"}, not: []string{"已补充"}},
			say2("安海镇型厝村", "已记录地点：安海镇型厝村", "违法占道经营"),
			say2("/pick 违法占道经营", "身份保密"),
			say2("2", "手机号"),
			say2("跳过", "请确认"),
			say2("确认", "受理编号："),
		}, filed: &filed{kind: models.KindComplaint, matter: "CG-001", township: "anhai", village: "anhai-xingcuo",
			descHas: []string{"十字路口", "停在路中间"}, descNot: []string{"没了", "阿伯"}}},

		{name: "full-width digits answer every question", steps: []step{
			say2("投诉", "请描述"),
			say2("楼上那家天天晚上放音乐打麻将到半夜一两点，吵得根本没法睡觉", "现场照片"),
			say2("跳过", "地点"),
			say2("安海镇海东社区", "已记录地点：安海镇海东社区"),
			say2("/pick 社会生活噪声扰民", "身份保密"),
			say2("１", "请确认", "身份保密：是"),
			say2("确认", "受理编号："),
		}, filed: &filed{kind: models.KindComplaint, matter: "CG-003", township: "anhai", village: "anhai-haidong", confidential: true}},

		{name: "Chinese numerals and ordinals", steps: []step{
			say2("投诉", "请描述"),
			say2("店门口天天烧烤，油烟很大，熏得窗户都不敢开", "现场照片"),
			say2("没有", "地点"),
			say2("磁灶镇大埔村", "已记录地点：磁灶镇大埔村", "1 餐饮油烟扰民"),
			say2("第一个", "身份保密"),
			say2("二", "手机号"),
			say2("不留", "请确认", "身份保密：否"),
			say2("确认", "受理编号："),
		}, filed: &filed{kind: models.KindComplaint, matter: "CG-007", township: "cizao", village: "cizao-dapu"}},

		{name: "跳过 everywhere: the case goes to the platform's triage", steps: []step{
			say2("投诉", "请描述"),
			say2("跳过", "问题描述不能跳过"),
			say2("路边有人乱倒东西，臭得很", "现场照片"),
			say2("跳过", "地点"),
			say2("跳过", "地点不能跳过"),
			say2("跳过", "由指挥平台联系核实"),
			say2("跳过", "身份保密"),
			say2("跳过", "将对您的身份保密", "请确认", "地点：未知"),
			say2("确认", "受理编号："),
		}, filed: &filed{kind: models.KindComplaint, confidential: true, state: models.StateTriage}},

		{name: "a typed place in colloquial words", steps: []step{
			say2("投诉", "请描述"),
			say2("溪里有人偷偷挖沙，晚上车来车往", "现场照片"),
			say2("跳过", "地点"),
			say2("就在磁灶大埔村那条溪", "已记录地点：磁灶镇大埔村"),
			say2("/pick 河道非法采砂", "身份保密"),
			say2("1", "请确认"),
			say2("确认", "受理编号："),
		}, filed: &filed{kind: models.KindComplaint, matter: "SL-001", township: "cizao", village: "cizao-dapu", confidential: true}},

		{name: "a spoken description and a spoken place", steps: []step{
			say2("投诉", "请描述"),
			say2("/voice 有人在路边烧垃圾，烟很大，呛得受不了", "已收到语音", "地点"),
			say2("/voice 在东石镇白沙村", "已记录地点：东石镇白沙村"),
			say2("/pick 露天焚烧秸秆、垃圾", "身份保密"),
			say2("1", "请确认"),
			say2("确认", "受理编号："),
		}, filed: &filed{kind: models.KindComplaint, matter: "CG-004", township: "dongshi", village: "dongshi-baisha", photos: 2, confidential: true}},

		{name: "a place sent when photos were asked for becomes the place", steps: []step{
			say2("投诉", "请描述"),
			say2("电线杆上全是乱贴的小广告，贴得到处都是", "现场照片"),
			say2("陈埭镇江头村", "已记录地点：陈埭镇江头村", "乱贴乱画小广告"),
			say2("/pick 乱贴乱画小广告", "身份保密"),
			say2("1", "请确认"),
			say2("确认", "受理编号："),
		}, filed: &filed{kind: models.KindComplaint, matter: "CG-008", township: "chendai", village: "chendai-jiangtou", confidential: true,
			descNot: []string{"江头村"}}},

		{name: "取消, then a new start as a tip", steps: []step{
			say2("投诉", "请描述"),
			say2("小区里有人养鸡，天天一大早就叫", "现场照片"),
			say2("取消", "已取消"),
			say2("举报", "举报的违法行为"),
			say2("有人在家里开黑作坊做豆干，卫生很差", "现场照片"),
			say2("跳过", "地点"),
			say2("池店镇池店村", "已记录地点：池店镇池店村"),
			say2("/pick 食品小作坊、食品摊贩违规经营", "请确认", "身份保密：是"),
			say2("确认", "您的举报已受理"),
		}, filed: &filed{kind: models.KindTip, matter: "SJ-002", township: "chidian", village: "chidian-chidian", confidential: true,
			descNot: []string{"养鸡"}}},

		{name: "举报： prefix carries the description", steps: []step{
			say2("举报：河边晚上有人开着挖机偷偷挖沙", "现场照片"),
			say2("跳过", "地点"),
			say2("5", "已记录地点：东石镇"),
			say2("/pick 河道非法采砂", "请确认", "问题：河边晚上有人开着挖机偷偷挖沙"),
			say2("确认", "您的举报已受理"),
		}, filed: &filed{kind: models.KindTip, matter: "SL-001", township: "dongshi", confidential: true,
			descHas: []string{"河边晚上有人开着挖机偷偷挖沙"}, descNot: []string{"举报"}}},

		{name: "投诉： prefix with a full-width colon, and 好了 with an emoji", steps: []step{
			say2("投诉：楼下KTV天天唱到半夜两点，吵死人了", "现场照片"),
			say2("/photo", "已收到第1张照片"),
			say2("好了👌", "地点"),
			say2("青阳街道阳光社区", "已记录地点：青阳街道阳光社区"),
			say2("/pick 娱乐场所违规经营", "身份保密"),
			say2("选一", "请确认"),
			say2("确认👍", "受理编号："),
		}, filed: &filed{kind: models.KindComplaint, matter: "WL-002", township: "qingyang", village: "qingyang-yangguang", photos: 1, confidential: true}},

		{name: "a follow-up right after filing answers and offers 催办", steps: []step{
			say2("投诉", "请描述"),
			say2("路口有人摆摊卖水果，占了半条路", "现场照片"),
			say2("跳过", "地点"),
			say2("安海镇复兴社区", "已记录地点"),
			say2("/pick 违法占道经营", "身份保密"),
			say2("1", "请确认"),
			say2("确认", "受理编号："),
			{send: "怎么还没人来处理？？", want: []string{"{no}", "当前状态", "催办"}, not: []string{"请描述"}},
			say2("1", "已为您催办案件 {no}"),
			say2("催一下", "{no}", "24小时内只能催办一次"),
		}, filed: &filed{kind: models.KindComplaint, matter: "CG-001", township: "anhai", village: "anhai-fuxing", confidential: true}},

		{name: "进度 with the number and trailing punctuation", steps: []step{
			say2("投诉", "请描述"),
			say2("小区门口有人乱倒建筑垃圾，堆了一大堆", "现场照片"),
			say2("跳过", "地点"),
			say2("4", "已记录地点：磁灶镇"),
			say2("/pick 随意倾倒建筑垃圾", "身份保密"),
			say2("1", "请确认"),
			say2("确认", "受理编号："),
			say2("进度 {no}。", "受理编号：{no}", "当前状态"),
			say2("查询　{no}！", "受理编号：{no}"),
			say2("进度", "{no}", "当前状态"),
		}, filed: &filed{kind: models.KindComplaint, matter: "CG-005", township: "cizao", confidential: true}},

		{name: "a mistyped number in a query is named, with the case it may be", steps: []step{
			say2("投诉", "请描述"),
			say2("广场上有人天天跳广场舞，音响开得特别大", "现场照片"),
			say2("跳过", "地点"),
			say2("梅岭街道桂山社区", "已记录地点"),
			say2("/pick 社会生活噪声扰民", "身份保密"),
			say2("1", "请确认"),
			say2("确认", "受理编号："),
			say2("查询 {typo}", "校验不通过", "{no}"),
			say2("进度 2612", "查询 受理编号"),
		}, filed: &filed{kind: models.KindComplaint, matter: "CG-003", township: "meiling", village: "meiling-guishan", confidential: true}},

		{name: "small talk starts nothing", steps: []step{
			{send: "你好", want: []string{"投诉"}, not: []string{"请描述"}},
			{send: "谢谢", want: []string{"投诉"}, not: []string{"请描述"}},
			{send: "1", not: []string{"请描述", "签收"}},
			say2("怎么用", "可以这样用", "催办"),
		}},

		{name: "我要举报 opens a tip", steps: []step{
			say2("我要举报", "您请说", "举报的违法行为"),
			say2("有人晚上在溪里电鱼，鱼都死了一片", "现场照片"),
			say2("跳过", "地点"),
			say2("东石镇肖下村", "已记录地点：东石镇肖下村"),
			say2("/pick 电鱼、毒鱼、炸鱼", "请确认"),
			say2("确认", "您的举报已受理"),
		}, filed: &filed{kind: models.KindTip, matter: "NY-004", township: "dongshi", village: "dongshi-xiaoxia", confidential: true}},

		{name: "corrections at the summary come back to it", steps: []step{
			say2("投诉", "请描述"),
			say2("有人在路边摆摊", "现场照片"),
			say2("跳过", "地点"),
			say2("安海镇海东社区", "已记录地点"),
			say2("/pick 违法占道经营", "身份保密"),
			say2("1", "请确认"),
			say2("改描述", "请描述"),
			say2("路口摆摊的又来了，占了半条路", "请确认", "问题：路口摆摊的又来了"),
			say2("改地点", "地点"),
			say2("安海镇鸿塔社区", "请确认", "地点：安海镇鸿塔社区"),
			say2("改类别", "哪一类"),
			say2("/pick 违法占道经营", "请确认"),
			say2("补充照片", "请继续发送照片"),
			say2("/photo", "已收到第1张照片"),
			say2("好了", "请确认", "照片：1张"),
			say2("确认", "受理编号："),
		}, filed: &filed{kind: models.KindComplaint, matter: "CG-001", township: "anhai", village: "anhai-hongta", photos: 1,
			confidential: true, descHas: []string{"路口摆摊的又来了"}, descNot: []string{"有人在路边摆摊"}}},

		{name: "重拍 replaces the photos", steps: []step{
			say2("/photo", "请描述"),
			say2("/photo", "共2张"),
			say2("桥下有人乱搭铁皮棚子，越搭越大", "地点"),
			say2("安海镇型厝村", "已记录地点"),
			say2("/pick 违法建设（违章搭建）", "身份保密"),
			say2("1", "照片：2张"),
			say2("重拍", "已清除原来的照片"),
			say2("/photo", "已收到第1张照片"),
			say2("好了", "照片：1张"),
			say2("确认", "受理编号："),
		}, filed: &filed{kind: models.KindComplaint, matter: "CG-002", township: "anhai", village: "anhai-xingcuo", photos: 1, confidential: true}},

		{name: "不保密 asks for a phone; a wrong one is refused", steps: []step{
			say2("投诉", "请描述"),
			say2("隔壁厂房机器声太大，白天晚上都在响", "现场照片"),
			say2("跳过", "地点"),
			say2("池店镇潘湖村", "已记录地点"),
			say2("/pick 工业企业噪声扰民", "身份保密"),
			say2("不保密", "手机号"),
			say2("12345", "手机号格式不对"),
			say2("138 0595 2001", "已记下您的手机号 13805952001", "联系电话：13805952001"),
			say2("确认", "受理编号："),
		}, filed: &filed{kind: models.KindComplaint, matter: "HB-005", township: "chidian", village: "chidian-panhu", phone: "13805952001"}},

		{name: "a phone number answers the confidentiality question", steps: []step{
			say2("投诉", "请描述"),
			say2("楼道里停满电动车还在充电，太危险了", "现场照片"),
			say2("跳过", "地点"),
			say2("青阳街道锦青社区", "已记录地点"),
			say2("/pick 电动自行车违规停放充电", "身份保密"),
			say2("＋86 139 5000 1234", "已记下您的手机号 13950001234", "身份保密：否"),
			say2("确认", "受理编号："),
		}, filed: &filed{kind: models.KindComplaint, matter: "XF-002", township: "qingyang", village: "qingyang-jinqing", phone: "13950001234"}},

		{name: "a location between villages offers the nearest one", steps: []step{
			say2("投诉", "请描述"),
			say2("路边有人乱倒装修垃圾，一车一车的", "现场照片"),
			say2("跳过", "地点"),
			say2("/location 24.7400 118.4600 某工业区", "最近的是", "1 是这里"),
			say2("1", "已记录地点：安海镇型厝村"),
			say2("/pick 随意倾倒建筑垃圾", "身份保密"),
			say2("1", "请确认"),
			say2("确认", "受理编号："),
		}, filed: &filed{kind: models.KindComplaint, matter: "CG-005", township: "anhai", village: "anhai-xingcuo", confidential: true}},

		{name: "a location outside the county names the county", steps: []step{
			say2("投诉", "请描述"),
			say2("有人在路边摆摊卖烧烤，油烟很大", "现场照片"),
			say2("跳过", "地点"),
			say2("/location 39.9087 116.3975 北京市东城区", "本公众号受理晋江市范围内的问题"),
			say2("安海镇安平社区", "已记录地点：安海镇安平社区"),
			say2("/pick 餐饮油烟扰民", "身份保密"),
			say2("1", "请确认"),
			say2("确认", "受理编号："),
		}, filed: &filed{kind: models.KindComplaint, matter: "CG-007", township: "anhai", village: "anhai-anping", confidential: true}},

		{name: "a grid worker reports with a photo and one sentence", openid: worker, maxSends: 3, steps: []step{
			say2("取消"), // clears a draft of another script
			say2("/photo", "请用一句话描述"),
			say2("型厝村村口有人乱倒建筑垃圾", "请确认", "型厝村"),
			say2("确认", "受理编号："),
		}, filed: &filed{kind: models.KindReport, matter: "CG-005", township: "anhai", village: "anhai-xingcuo", photos: 1}},

		{name: "a grid worker's report placed by location and spoken", openid: worker, steps: []step{
			say2("取消"),
			say2("上报", "请用一句话描述"),
			say2("/location 24.7140 118.4720 安海镇海东社区", "已记录地点：安海镇海东社区"),
			say2("/voice 海东社区有人在绿化带里种菜，把树砍了", "请确认"),
			say2("确认", "受理编号："),
		}, filed: &filed{kind: models.KindReport, matter: "CG-010", township: "anhai", village: "anhai-haidong", photos: 1}},

		{name: "the matter answered in words, not a number", steps: []step{
			say2("投诉", "请描述"),
			say2("那边有个东西一直在响，烦死了", "现场照片"),
			say2("跳过", "地点"),
			say2("安海镇海东社区", "已记录地点"),
			say2("不知道", "身份保密"),
			say2("1", "请确认", "其他/不确定"),
			say2("确认", "受理编号："),
		}, filed: &filed{kind: models.KindComplaint, township: "anhai", village: "anhai-haidong", confidential: true, state: models.StateTriage}},

		{name: "a wrong answer to the confidentiality question is asked again", steps: []step{
			say2("投诉", "请描述"),
			say2("有人把狗放出来乱跑，还咬人", "现场照片"),
			say2("跳过", "地点"),
			say2("陈埭镇岸兜村", "已记录地点"),
			say2("/pick 违规养犬", "身份保密"),
			say2("随便", "请回复 1（保密）或 2（不保密）"),
			say2("保密", "请确认", "身份保密：是"),
			say2("确认", "受理编号："),
		}, filed: &filed{kind: models.KindComplaint, matter: "CG-012", township: "chendai", village: "chendai-andou", confidential: true}},

		{name: "选二 and 2号 pick options", steps: []step{
			say2("投诉", "请描述"),
			say2("村里有人把老厝推了要起五层楼，也没看到有什么规划许可", "现场照片"),
			say2("跳过", "地点"),
			say2("「磁灶镇张林村」", "已记录地点：磁灶镇张林村"),
			say2("/pick 违法建设（违章搭建）", "身份保密"),
			say2("选二", "手机号"),
			say2("跳过", "请确认"),
			say2("确认", "受理编号："),
		}, filed: &filed{kind: models.KindComplaint, matter: "CG-002", township: "cizao", village: "cizao-zhanglin"}},

		{name: "an address without a known name, then a township number", steps: []step{
			say2("投诉", "请描述"),
			say2("有人在人行道上晒花生，晒了一整条路", "现场照片"),
			say2("跳过", "地点"),
			say2("成功路12号旁边", "已记下地址“成功路12号旁边”"),
			say2("第1个", "已记录地点：安海镇（成功路12号旁边）"),
			say2("/pick 公路上晒粮、堆物", "身份保密"),
			say2("1", "请确认"),
			say2("确认", "受理编号："),
		}, filed: &filed{kind: models.KindComplaint, matter: "JT-003", township: "anhai", confidential: true}},

		{name: "a video and a link keep the question", steps: []step{
			say2("投诉", "请描述"),
			say2("有人在菜市场卖过期的牛奶", "现场照片"),
			say2("/video", "暂不支持视频", "请继续"),
			say2("跳过", "地点"),
			say2("青阳街道陈村社区", "已记录地点"),
			say2("/pick 销售过期、标签不全食品", "身份保密"),
			say2("1", "请确认"),
			say2("确认", "受理编号："),
		}, filed: &filed{kind: models.KindComplaint, matter: "SJ-003", township: "qingyang", village: "qingyang-chencun", confidential: true}},

		{name: "a rating in words and Chinese numerals", steps: []step{
			say2("评价 26112700136 五星", "未找到该受理编号"),
			say2("评价 2611270001", "位数不对"),
			say2("评价 五星", "评价 受理编号 分数"),
			say2("评价 26112700136 六", "评价 受理编号 分数"),
		}},

		{name: "帮助 lists the citizen's commands with examples", steps: []step{
			say2("帮助", "投诉", "举报", "查询 受理编号", "评价 26112700136 5", "催办"),
			say2("？", "可以这样用"),
		}},

		{name: "an overlong address or description is refused with a word, never cut", steps: []step{
			say2("投诉", "请描述"),
			say2(strings.Repeat("楼下天天有人摆摊卖菜，", 400), "现场照片"),
			say2(strings.Repeat("路都堵死了，", 200), "已超过5000字"),
			say2("跳过", "地点"),
			say2(strings.Repeat("安海镇安平路", 40), "地址太长了"),
			say2("安海镇安平社区", "已记录地点：安海镇安平社区"),
			say2("/pick 违法占道经营", "身份保密"),
			say2("1", "请确认"),
			say2("确认", "受理编号："),
		}, filed: &filed{kind: models.KindComplaint, matter: "CG-001", township: "anhai", village: "anhai-anping", confidential: true,
			descNot: []string{"路都堵死了"}}},

		{name: "催办 with nothing filed says so", steps: []step{
			say2("催办", "没有正在办理的问题"),
			say2("进度", "还没有反映过问题"),
		}},
	}
}

func TestConversationScripts(t *testing.T) {
	for i, sc := range conversationScripts() {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			app, base := startApp(t, testEnv(t, nil))
			openid := sc.openid
			if openid == "" {
				openid = fmt.Sprintf("oCitizen_script_%02d", i)
			}
			runScript(t, app, sandboxPhone(app, base, openid, true), sc)
		})
	}
}

// runScript plays a script and checks the case it files.
func runScript(t *testing.T, app *App, p *wechatsim.Phone, sc script) {
	t.Helper()
	var no, last string
	sends := 0
	typed := map[string]bool{} // ASCII words the person wrote, which answers may repeat
	for _, st := range sc.steps {
		if st.send != "取消" {
			sends++
		}
		if !strings.HasPrefix(st.send, "/") || strings.HasPrefix(st.send, "/voice") {
			for _, w := range asciiWordRe.FindAllString(st.send, -1) {
				typed[w] = true
			}
		}
		last = sendStep(t, p, st.send, last, no)
		if w := englishWord(last, typed); w != "" {
			t.Errorf("after %q the answer shows the ASCII word %q:\n%s", st.send, w, last)
		}
		for _, w := range st.want {
			if w = fill(w, no); !strings.Contains(last, w) {
				t.Fatalf("after %q the answer lacks %q:\n%s", st.send, w, last)
			}
		}
		for _, w := range st.not {
			if strings.Contains(last, fill(w, no)) {
				t.Fatalf("after %q the answer has %q:\n%s", st.send, w, last)
			}
		}
		if m := trackingRe.FindStringSubmatch(last); m != nil && strings.Contains(last, "已受理") {
			no = m[1]
		}
	}
	if sc.maxSends > 0 && sends > sc.maxSends {
		t.Errorf("the person sent %d messages, at most %d wanted", sends, sc.maxSends)
	}
	if sc.filed != nil {
		if no == "" {
			t.Fatal("no case was filed")
		}
		checkFiled(t, app.store, no, *sc.filed)
	}
}

// asciiWordRe finds runs of two or more ASCII letters.
var asciiWordRe = regexp.MustCompile(`[A-Za-z]{2,}`)

// urlRe finds links, which may show ASCII.
var urlRe = regexp.MustCompile(`https?://\S+`)

// englishWord returns the first ASCII word of an answer that the person did not write
// themselves, links left out; "" when every word is Chinese.
func englishWord(answer string, typed map[string]bool) string {
	for _, w := range asciiWordRe.FindAllString(urlRe.ReplaceAllString(answer, ""), -1) {
		if !typed[w] {
			return w
		}
	}
	return ""
}

// fill replaces {no} and {typo} in a phrase.
func fill(s, no string) string {
	s = strings.ReplaceAll(s, "{no}", no)
	if strings.Contains(s, "{typo}") && len(no) > 8 {
		b := []byte(no)
		i := 7
		for b[i] == b[i+1] {
			i++
		}
		b[i], b[i+1] = b[i+1], b[i]
		s = strings.ReplaceAll(s, "{typo}", string(b))
	}
	return s
}

var optionRe = regexp.MustCompile(`(?m)^(\d+) (.+)$`)

// sendStep sends one step's message and returns the answer.
func sendStep(t *testing.T, p *wechatsim.Phone, send, last, no string) string {
	t.Helper()
	ctx := context.Background()
	var (
		r   wechatsim.Reply
		err error
	)
	cmd, arg, _ := strings.Cut(send, " ")
	switch cmd {
	case "/photo":
		r, err = p.SendImage(ctx, testJPEG(t))
	case "/video":
		r, err = p.SendVideo(ctx, []byte("fake video"))
	case "/voice":
		r, err = p.SendVoice(ctx, []byte("#!AMR\n fake voice"), arg)
	case "/location":
		f := strings.SplitN(arg, " ", 3)
		lat, _ := strconv.ParseFloat(f[0], 64)
		lng, _ := strconv.ParseFloat(f[1], 64)
		r, err = p.SendLocation(ctx, lat, lng, 16, f[2])
	case "/pick":
		for _, m := range optionRe.FindAllStringSubmatch(last, -1) {
			if m[2] == arg {
				r, err = p.SendText(ctx, m[1])
				break
			}
		}
		if r.Content == "" && err == nil {
			t.Fatalf("%q is not among the matters offered:\n%s", arg, last)
		}
	default:
		r, err = p.SendText(ctx, fill(send, no))
	}
	if err != nil {
		t.Fatalf("send %q: %v", send, err)
	}
	return r.Content
}

// checkFiled compares the stored case with what the script should have filed.
func checkFiled(t *testing.T, s *store.Store, no string, want filed) {
	t.Helper()
	ctx := context.Background()
	c, err := s.CaseByTrackingNo(ctx, no)
	if err != nil {
		t.Fatal(err)
	}
	atts, err := s.Attachments(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if c.Kind != want.kind || c.MatterCode != want.matter || c.Location.TownshipCode != want.township ||
		(want.village != "" && c.Location.VillageCode != want.village) || len(atts) != want.photos ||
		c.Confidential != want.confidential || c.ContactPhone != want.phone {
		t.Errorf("case %s: kind %s matter %q township %q village %q photos %d confidential %v phone %q; want %+v",
			no, c.Kind, c.MatterCode, c.Location.TownshipCode, c.Location.VillageCode, len(atts), c.Confidential,
			c.ContactPhone, want)
	}
	if want.state != "" && c.State != want.state {
		t.Errorf("case %s is %s, want %s", no, c.State, want.state)
	}
	for _, w := range want.descHas {
		if !strings.Contains(c.Description, w) {
			t.Errorf("description %q lacks %q", c.Description, w)
		}
	}
	for _, w := range want.descNot {
		if strings.Contains(c.Description, w) {
			t.Errorf("description %q has %q", c.Description, w)
		}
	}
}

func TestADraftOutlivesARestartOfTheEmbeddedDefault(t *testing.T) {
	dir := t.TempDir()
	env := testEnv(t, map[string]string{"GRIDBOT_DATA_DIR": dir})
	app, base, stop := runApp(t, env)
	p := sandboxPhone(app, base, "oCitizen_restart", true)
	expect(t, say(t, p, "投诉"), "请描述")
	expect(t, say(t, p, "楼下天天有人摆摊卖菜，路都堵死了"), "现场照片")
	expect(t, say(t, p, "跳过"), "地点")
	stop()
	if raw, err := os.ReadFile(filepath.Join(dir, "conversations.json")); err != nil || !strings.Contains(string(raw), "oCitizen_restart") {
		t.Fatalf("no conversation kept at the stop: %s %v", raw, err)
	}

	app, base, stop = runApp(t, env)
	defer stop()
	p = sandboxPhone(app, base, "oCitizen_restart", true)
	r := say(t, p, "安海镇安平社区")
	expect(t, r, "已记录地点：安海镇安平社区")
	expect(t, r, "违法占道经营")
}

func TestAfterAnIdleExpiryTheNextMessageIsReadAfresh(t *testing.T) {
	app, base := startApp(t, testEnv(t, map[string]string{"GRIDBOT_CONVERSATION_IDLE": "1s"}))
	p := sandboxPhone(app, base, "oCitizen_expiry", true)
	expect(t, say(t, p, "投诉"), "请描述")
	expect(t, say(t, p, "楼下烧烤店油烟很大，窗户都不敢开"), "现场照片")
	time.Sleep(1200 * time.Millisecond)
	r := say(t, p, "确认")
	expect(t, r, "长时间未继续，已自动结束")
	expect(t, r, "请重新发送问题描述")
	if strings.Contains(r, "请描述") || strings.Contains(r, "地点") {
		t.Fatalf("the expired draft was followed by a new one:\n%s", r)
	}
	r = say(t, p, "投诉：楼下烧烤店油烟很大，窗户都不敢开")
	expect(t, r, "现场照片")
	if strings.Contains(r, "自动结束") {
		t.Fatalf("the expiry was told twice:\n%s", r)
	}
}

func TestTheReportersPhoneReachesTheAssignedTeamOnly(t *testing.T) {
	app, base := startApp(t, testEnv(t, nil))
	p := sandboxPhone(app, base, "oCitizen_phone", true)
	for _, text := range []string{"投诉", "安平路口天天有人摆摊卖菜，车都过不去", "跳过", "安海镇安平社区", "1", "2", "13805952001"} {
		say(t, p, text)
	}
	no := trackingNo(t, say(t, p, "确认"))
	_, in := intentsOf(t, app.store, no)
	officer, reporter := personID(t, app.store, openidChenJianhua), personID(t, app.store, "oCitizen_phone")
	for _, i := range in {
		shows := strings.Contains(string(i.Payload), "13805952001")
		switch {
		case i.RecipientID == officer && i.Kind == models.NoticeDispatched && !shows:
			t.Errorf("the dispatch card to the officer lacks the phone: %s", i.Payload)
		case i.RecipientID == reporter && shows:
			t.Errorf("the reporter's own notice carries the phone: %s", i.Payload)
		}
	}
}
