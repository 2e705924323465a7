package bench

// This file is the load generator's messages file: every text the virtual users send and every
// phrase they expect in gridbot's replies (see bot/messages.go), in Simplified Chinese.

const (
	sayComplaint = "投诉"
	saySkipPhoto = "跳过"
	sayMatter1   = "1"
	// sayNotSecret answers the confidentiality question with a mobile number: not confidential,
	// and the number for the assigned team, in one message as a person may send it.
	sayNotSecret = "13805952001"
	sayConfirm   = "确认"
	// saySubmitAnyway answers gridbot's offer to follow an open case of the same matter nearby
	// (every run files many complaints at one place): 2 仍然单独提交.
	saySubmitAnyway = "2"

	// The location every conversation sends: 安海镇海东社区, inside the sample county's grid
	// anhai-haidong-01 (GCJ-02).
	placeLat   = 24.7138
	placeLng   = 118.4720
	placeScale = 16
	placeLabel = "安海镇海东社区"

	wantAskDescription = "请描述您要投诉的问题"
	wantAskPhotos      = "现场照片"
	wantAskPlace       = "问题发生的地点"
	wantPlaceNoted     = "已记录地点：安海镇"
	wantMatterOffered  = "1 违法占道经营"
	wantAskSecret      = "是否需要对您的身份保密"
	wantSummary        = "请确认您的投诉"
	wantSummaryMatter  = "事项：违法占道经营"
	wantReceipt        = "受理编号："
	wantDuplicateOffer = "已有相同问题"
	busyReply          = "系统繁忙" // bot.BusyText: the message was stored but not answered in time
)

// descriptions are the complaints the virtual users describe, in turn; each names street
// vending, so that the first matter offered is 违法占道经营.
func descriptions() []string {
	return []string{
		"楼下天天有人摆摊卖菜，路都堵死了，车都过不去",
		"菜市场门口流动摊贩占道经营，行人只能走机动车道",
		"路口有人占道摆摊卖水果，早晚高峰特别堵",
		"小区门口每天晚上都有路边摊，占了半条马路",
	}
}
